// Juju storage as pure transitions: directives (`deploy --storage local=loop,1G`), instances
// ("local/0") bound to a unit, and the hooks each change queues (contract §4.2: a new unit's
// <name>-storage-attached runs before install; detaching runs <name>-storage-detaching, and the
// device goes only once that hook has succeeded or was resolved without a retry).
import { enqueueHook } from './queue';
import { getUnit, ModelError } from './topology';
import type { CharmMeta, HookEvent, ModelState, StorageMeta, StorageRecord, UnitRecord } from './types';

const SIZE_UNITS: Readonly<Record<string, number>> = { M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
/** the emulator's one storage pool (Juju's machine providers all have `loop` too) */
export const LOOP_POOL = 'loop';
const DEFAULT_SIZE = 1024 ** 3;

export interface StorageDirective {
  name: string;
  count: number;
  sizeBytes: number;
}

/**
 * Juju's `<name>=<pool>,<size>,<count>` (each part optional, in any order: juju/juju storage/constraints.go):
 * a size has a unit suffix (M implied when it has none is Juju's rule for sizes; here a bare number is a count).
 */
export function parseStorageDirective(text: string): StorageDirective {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq);
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new ModelError(`invalid storage directive "${text}": want <name>=[pool,][size,][count]`);
  let count = 1;
  let sizeBytes = DEFAULT_SIZE;
  for (const part of text.slice(eq + 1).split(',').filter((p) => p !== '')) {
    const size = /^(\d+(?:\.\d+)?)([MGT])i?B?$/i.exec(part);
    if (size) sizeBytes = Math.round(Number(size[1]) * (SIZE_UNITS[(size[2] ?? '').toUpperCase()] ?? 0));
    else if (/^\d+$/.test(part)) count = Number(part);
    else if (part !== LOOP_POOL) throw new ModelError(`storage pool "${part}" not found (the emulator has pool "${LOOP_POOL}")`);
  }
  if (sizeBytes <= 0) throw new ModelError(`invalid storage size in "${text}"`);
  return { name, count, sizeBytes };
}

function metaOf(charm: CharmMeta, name: string): StorageMeta {
  const meta = charm.storage?.[name];
  if (!meta) throw new ModelError(`charm storage "${name}" not found`);
  if (meta.type !== 'block') throw new ModelError(`storage "${name}": only block storage (loop devices) is emulated`);
  return meta;
}

/** Checks directives against metadata.yaml's storage (names, counts within multiple.range). */
export function checkDirectives(charm: CharmMeta, directives: readonly StorageDirective[]): void {
  for (const d of directives) {
    const meta = metaOf(charm, d.name);
    if (d.count < meta.min || (meta.max !== null && d.count > meta.max)) {
      throw new ModelError(`cannot add storage "${d.name}": ${d.count} instance(s) outside the charm's range ${meta.min}-${meta.max ?? ''}`);
    }
  }
}

export function storageOfUnit(state: ModelState, unitName: string): StorageRecord[] {
  return Object.values(state.storage ?? {}).filter((s) => s.unit === unitName && s.life !== 'detached');
}

/** The count a new instance of `name` on `unit` would reach; refused past the charm's maximum. */
export function checkCanAdd(state: ModelState, unitName: string, name: string, adding: number): void {
  const unit = getUnit(state, unitName);
  const app = state.applications[unit.app];
  if (!app) throw new ModelError(`application "${unit.app}" not found`);
  const meta = metaOf(app.charm.meta, name);
  const have = storageOfUnit(state, unitName).filter((s) => s.name === name).length;
  if (meta.max !== null && have + adding > meta.max) {
    throw new ModelError(`cannot add storage "${name}" to ${unitName}: the charm allows at most ${meta.max} (it has ${have})`);
  }
}

/** The next instance id of storage `name`: Juju numbers storage model-wide. */
export function nextStorageId(state: ModelState, name: string): string {
  const n = state.counters.storage ?? 0;
  state.counters.storage = n + 1;
  return `${name}/${n}`;
}

/** Records an attached instance and queues its -storage-attached (before install on a new unit). */
export function recordAttached(state: ModelState, unit: UnitRecord, record: StorageRecord): void {
  (state.storage ??= {})[record.id] = record;
  enqueueHook(unit, { name: `${record.name}-storage-attached`, storageId: record.id });
}

/** `juju detach-storage <id>`: the unit runs -storage-detaching; the device goes after it. */
export function beginDetach(state: ModelState, id: string): StorageRecord {
  const record = state.storage?.[id];
  if (!record || record.life === 'detached') throw new ModelError(`storage "${id}" not found`);
  if (record.life === 'detaching') return record;
  record.life = 'detaching';
  enqueueHook(getUnit(state, record.unit), { name: `${record.name}-storage-detaching`, storageId: id });
  return record;
}

/** After a storage hook ran (or was resolved without a retry): attached is attached; a detached device may go. */
export function afterStorageHook(state: ModelState, event: HookEvent): void {
  if (event.kind !== 'hook' || event.storageId === undefined) return;
  const record = state.storage?.[event.storageId];
  if (!record) return;
  if (event.name.endsWith('-storage-attached') && record.life === 'attaching') record.life = 'attached';
  if (event.name.endsWith('-storage-detaching')) record.life = 'detached';
}

/** Instances whose device can be detached now: their -storage-detaching has run. */
export const detachedStorage = (state: ModelState): StorageRecord[] => Object.values(state.storage ?? {}).filter((s) => s.life === 'detached');
