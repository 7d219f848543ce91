// lxd-preseed: the operator's `lxd init --preseed` document, parsed and checked against what the charm
// manages. Pure: the result is data (the objects to keep in LXD) or problems naming the option, the
// line and, for a conflict, the charm option that owns the key.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { LxdConfig, LxdDevice } from '../lxd/lxd-api';

/** LXD's REST collections a preseed section maps to */
export type PreseedKind = 'storage-pools' | 'networks' | 'projects' | 'profiles';

export interface PreseedObject {
  readonly kind: PreseedKind;
  readonly name: string;
  readonly config: LxdConfig;
  /** profiles only */
  readonly devices: Readonly<Record<string, LxdDevice>>;
  /** what creation needs besides config (driver of a pool, type of a network, description) */
  readonly create: Readonly<Record<string, string>>;
}

export interface LxdPreseed {
  /** server config keys (PATCH /1.0) */
  readonly config: LxdConfig;
  /** in the order they are applied: pools, networks, projects, profiles */
  readonly objects: readonly PreseedObject[];
}

export const EMPTY_PRESEED: LxdPreseed = { config: {}, objects: [] };

/** what the charm owns, from its other options */
export interface ManagedNames {
  readonly pool: string;
  readonly bridge: string;
}

const SECTIONS: ReadonlyArray<readonly [string, PreseedKind | 'config']> = [
  ['config', 'config'],
  ['storage_pools', 'storage-pools'],
  ['networks', 'networks'],
  ['projects', 'projects'],
  ['profiles', 'profiles'],
];

/** server keys the charm sets, and the option that decides each */
const MANAGED_SERVER_KEYS: Readonly<Record<string, string>> = {
  'core.https_address': 'https-port (and the lxd-migration binding)',
  'core.trust_password': 'trust-password',
};

export type PreseedResult = { readonly ok: true; readonly preseed: LxdPreseed } | { readonly ok: false; readonly problems: readonly string[] };

/** LXD config maps hold strings: YAML's numbers and booleans travel as their text. */
function stringMap(node: unknown, where: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (node === undefined || node === null) return out;
  if (!isMap(node)) {
    problems.push(`${where} must be a mapping`);
    return out;
  }
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!isScalar(pair.value) || pair.value.value === null || typeof pair.value.value === 'object') {
      problems.push(`${where}.${key} must be a string, number or boolean`);
      continue;
    }
    out[key] = String(pair.value.value);
  }
  return out;
}

export function parsePreseed(text: string, managed: ManagedNames): PreseedResult {
  if (text.trim() === '') return { ok: true, preseed: EMPTY_PRESEED };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 0);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first ? lines.linePos(first.pos[0]).line : 0;
    return { ok: false, problems: [`is not valid YAML (line ${line}: ${(first?.message ?? 'parse error').split('\n')[0]})`] };
  }
  const root = doc.contents;
  if (root === null) return { ok: true, preseed: EMPTY_PRESEED };
  if (!isMap(root)) return { ok: false, problems: [`must be a YAML mapping with sections ${SECTIONS.map(([s]) => s).join(', ')}`] };

  const problems: string[] = [];
  const known = new Map(SECTIONS);
  const unknown = root.items.filter((p) => !known.has(isScalar(p.key) ? String(p.key.value) : '')).map((p) => `${isScalar(p.key) ? String(p.key.value) : '?'} (line ${lineOf(p.key as Node)})`);
  if (unknown.length > 0) problems.push(`has unknown section${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${SECTIONS.map(([s]) => s).join(', ')}`);

  const config = stringMap(root.get('config', true), 'config', problems);
  for (const key of Object.keys(config)) {
    const owner = MANAGED_SERVER_KEYS[key];
    if (owner) problems.push(`config.${key} (line ${lineOf(findKey(root.get('config', true), key))}) conflicts with ${owner}: the charm manages ${key}`);
  }

  const objects: PreseedObject[] = [];
  for (const [section, kind] of SECTIONS) {
    if (kind === 'config') continue;
    const list = root.get(section, true);
    if (list === undefined || list === null) continue;
    if (!isSeq(list)) {
      problems.push(`${section} (line ${lineOf(list as Node)}) must be a list`);
      continue;
    }
    for (const item of list.items) {
      const where = `${section} entry at line ${lineOf(item as Node)}`;
      if (!isMap(item)) {
        problems.push(`${where} must be a mapping`);
        continue;
      }
      const name = item.get('name');
      if (typeof name !== 'string' || name === '') {
        problems.push(`${where} has no name`);
        continue;
      }
      const at = `${section} ${name} (line ${lineOf(item)})`;
      const objectConfig = stringMap(item.get('config', true), `${section} ${name} config`, problems);
      const devices: Record<string, LxdDevice> = {};
      const devicesNode = item.get('devices', true);
      if (devicesNode !== undefined && devicesNode !== null) {
        if (kind !== 'profiles' || !isMap(devicesNode)) problems.push(`${at}: devices ${kind === 'profiles' ? 'must be a mapping' : 'belong to profiles only'}`);
        else for (const pair of devicesNode.items) {
          const device = isScalar(pair.key) ? String(pair.key.value) : '';
          devices[device] = stringMap(pair.value, `${section} ${name} devices.${device}`, problems);
        }
      }
      const create: Record<string, string> = {};
      for (const field of ['description', 'driver', 'type']) {
        const value = item.get(field);
        if (typeof value === 'string') create[field] = value;
      }
      if (kind === 'storage-pools' && !create.driver) problems.push(`${at} has no driver`);
      if (kind === 'storage-pools' && name === managed.pool) problems.push(`${at} conflicts with storage-pool: the charm manages pool ${name}`);
      if (kind === 'networks' && name === managed.bridge) problems.push(`${at} conflicts with bridge-name: the charm manages bridge ${name}`);
      if (kind === 'profiles' && name === 'default') {
        if (devices.root) problems.push(`${at} device root conflicts with storage-pool: the charm manages the default profile's root disk`);
        if (devices.eth0) problems.push(`${at} device eth0 conflicts with bridge-name: the charm manages the default profile's eth0`);
      }
      if (objects.some((o) => o.kind === kind && o.name === name)) problems.push(`${at} is listed twice`);
      objects.push({ kind, name, config: objectConfig, devices, create });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, preseed: { config, objects } };
}

function findKey(map: unknown, key: string): Node | null {
  if (!isMap(map)) return null;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return (pair?.key as Node | undefined) ?? null;
}
