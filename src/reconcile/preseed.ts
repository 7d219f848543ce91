// lxd-preseed in the pipeline: what LXD has of the objects the preseed names (observe), the creates
// and PATCHes that make it so (plan, pure; only differing keys, so a second run sends nothing) and
// their appliers. Kept apart from plan.ts/apply.ts, which only list these changes.
import type { LxdApi, LxdConfig, LxdDevice, PreseedObjectState } from '../lxd/lxd-api';
import type { CharmState } from '../model/charm-state';
import type { LxdPreseed, PreseedKind, PreseedObject } from '../model/lxd-preseed';

/** by `${kind}/${name}`: null when LXD has no such object */
export type ObservedPreseed = ReadonlyMap<string, PreseedObjectState | null>;

export type PreseedChange =
  | { readonly kind: 'preseed-create'; readonly collection: PreseedKind; readonly name: string; readonly body: Readonly<Record<string, unknown>> }
  | { readonly kind: 'preseed-patch'; readonly collection: PreseedKind; readonly name: string; readonly config: LxdConfig; readonly devices: Readonly<Record<string, LxdDevice>> }
  | { readonly kind: 'preseed-server-config'; readonly config: LxdConfig };

const keyOf = (o: { readonly kind: PreseedKind; readonly name: string }): string => `${o.kind}/${o.name}`;

export async function observePreseed(want: LxdPreseed, lxd: LxdApi): Promise<ObservedPreseed> {
  const seen = new Map<string, PreseedObjectState | null>();
  for (const object of want.objects) seen.set(keyOf(object), await lxd.preseedObject(object.kind, object.name));
  return seen;
}

/** `auto` addresses are satisfied by the concrete one LXD picked (re-sending would pick another) */
const valueMatches = (key: string, want: string, have: string | undefined): boolean =>
  want === have || (want === 'auto' && key.endsWith('.address') && have !== undefined && have !== '' && have !== 'none');

const sameDevice = (a: LxdDevice | undefined, b: LxdDevice): boolean =>
  a !== undefined && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

const SINGULAR: Readonly<Record<PreseedKind, string>> = { 'storage-pools': 'storage pool', networks: 'network', projects: 'project', profiles: 'profile' };

function objectChanges(object: PreseedObject, have: PreseedObjectState | null | undefined, blocked: string[]): PreseedChange[] {
  if (!have) {
    const body: Record<string, unknown> = { ...object.create, name: object.name, config: object.config };
    if (object.kind === 'profiles') body.devices = object.devices;
    return [{ kind: 'preseed-create', collection: object.kind, name: object.name, body }];
  }
  const driver = object.create.driver;
  if (object.kind === 'storage-pools' && driver && have.driver && driver !== have.driver) {
    blocked.push(`lxd-preseed storage_pools ${object.name} asks for driver ${driver} but LXD has it as ${have.driver}; refusing to change it`);
    return [];
  }
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(object.config)) if (!valueMatches(key, value, have.config[key])) config[key] = value;
  const devices: Record<string, LxdDevice> = {};
  for (const [name, device] of Object.entries(object.devices)) if (!sameDevice(have.devices[name], device)) devices[name] = device;
  if (Object.keys(config).length === 0 && Object.keys(devices).length === 0) return [];
  return [{ kind: 'preseed-patch', collection: object.kind, name: object.name, config, devices }];
}

export function preseedChanges(want: LxdPreseed, server: LxdConfig, have: ObservedPreseed, state: CharmState, blocked: string[]): PreseedChange[] {
  const changes = want.objects.flatMap((object) => objectChanges(object, have.get(keyOf(object)), blocked));
  const config: Record<string, string> = {};
  // LXD stores no server key set to its default value: absent after the charm set it is as set
  const satisfied = (key: string, value: string): boolean => server[key] === value || (server[key] === undefined && state.preseedServer[key] === value);
  for (const [key, value] of Object.entries(want.config)) if (!satisfied(key, value)) config[key] = value;
  if (Object.keys(config).length > 0) changes.push({ kind: 'preseed-server-config', config });
  return changes;
}

const pairs = (config: LxdConfig): string => Object.entries(config).map(([k, v]) => `${k}=${v}`).join(' ');

export function describePreseedChange(change: PreseedChange): string {
  switch (change.kind) {
    case 'preseed-create':
      return `create LXD ${SINGULAR[change.collection]} ${change.name} (lxd-preseed)`;
    case 'preseed-patch': {
      const parts = [pairs(change.config), Object.keys(change.devices).length > 0 ? `devices ${Object.keys(change.devices).join(', ')}` : ''].filter(Boolean);
      return `set ${parts.join(' and ')} on LXD ${SINGULAR[change.collection]} ${change.name} (lxd-preseed)`;
    }
    case 'preseed-server-config':
      return `set ${pairs(change.config)} (lxd-preseed)`;
  }
}

type PreseedApplier<K extends PreseedChange['kind']> = (change: Extract<PreseedChange, { kind: K }>, io: { readonly lxd: LxdApi }, state: CharmState) => Promise<Partial<CharmState> | void>;

export const preseedAppliers: { readonly [K in PreseedChange['kind']]: PreseedApplier<K> } = {
  'preseed-create': (c, io) => io.lxd.createPreseedObject(c.collection, { ...c.body, name: c.name, config: (c.body.config ?? {}) as LxdConfig }),
  'preseed-patch': (c, io) => io.lxd.patchPreseedObject(c.collection, c.name, Object.keys(c.devices).length > 0 ? { config: c.config, devices: c.devices } : { config: c.config }),
  'preseed-server-config': async (c, io, state) => {
    await io.lxd.patchServerConfig(c.config);
    return { preseedServer: { ...state.preseedServer, ...c.config } };
  },
};
