// Parsers for the tools' --format=json output (Go json.Marshal: `null` for nil, nothing at all from some
// agents when empty). Each checks the shape it documents and copies into null-prototype objects, so a
// key like "__proto__" in relation data stays plain data. Pure.
import { HookToolOutputError, type Bag, type CharmConfigValues, type ConfigValue, type NetworkInfo, type SecretInfo, type StatusName, type StorageInfo, type WorkloadStatus } from './hook-tools';

/** JSON text → value; empty output counts as null. */
export function parseJson(tool: string, stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HookToolOutputError(tool, 'not JSON (was --format=json ignored?)');
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function record(tool: string, value: unknown): Record<string, unknown> {
  if (value === null) return Object.create(null) as Record<string, unknown>;
  if (!isRecord(value)) throw new HookToolOutputError(tool, `expected a JSON object, got ${describe(value)}`);
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/** A map of strings: relation bags, leader settings, charm state, secret content. */
export function stringMap(tool: string, stdout: string): Bag {
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(record(tool, parseJson(tool, stdout)))) {
    if (typeof value !== 'string') throw new HookToolOutputError(tool, `value of "${key}" is ${describe(value)}, not a string`);
    out[key] = value;
  }
  return out;
}

export function stringList(tool: string, stdout: string): string[] {
  const value = parseJson(tool, stdout);
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new HookToolOutputError(tool, `expected a JSON list of strings, got ${describe(value)}`);
  }
  return value;
}

export function string(tool: string, stdout: string): string {
  const value = parseJson(tool, stdout);
  if (typeof value !== 'string') throw new HookToolOutputError(tool, `expected a JSON string, got ${describe(value)}`);
  return value;
}

export function boolean(tool: string, stdout: string): boolean {
  const value = parseJson(tool, stdout);
  if (typeof value !== 'boolean') throw new HookToolOutputError(tool, `expected true or false, got ${describe(value)}`);
  return value;
}

/** Any JSON object (action parameters): nested values kept as they are. */
export function object(tool: string, stdout: string): Readonly<Record<string, unknown>> {
  return record(tool, parseJson(tool, stdout));
}

/** config-get: options with null values (unset, no default) are left out, as config-get without --all does. */
export function config(tool: string, stdout: string): CharmConfigValues {
  const out = Object.create(null) as Record<string, ConfigValue>;
  for (const [key, value] of Object.entries(record(tool, parseJson(tool, stdout)))) {
    if (value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new HookToolOutputError(tool, `option "${key}" is ${describe(value)}`);
    }
    out[key] = value;
  }
  return out;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** network-get <binding>: Juju omits empty lists. */
export function networkInfo(tool: string, stdout: string): NetworkInfo {
  const raw = record(tool, parseJson(tool, stdout));
  const bindAddresses = (Array.isArray(raw['bind-addresses']) ? raw['bind-addresses'] : []).filter(isRecord).map((entry) => ({
    interfaceName: typeof entry['interface-name'] === 'string' ? entry['interface-name'] : '',
    addresses: (Array.isArray(entry.addresses) ? entry.addresses : [])
      .filter(isRecord)
      .map((a) => ({ value: typeof a.value === 'string' ? a.value : '', cidr: typeof a.cidr === 'string' ? a.cidr : '' }))
      .filter((a) => a.value !== ''),
  }));
  return { bindAddresses, ingressAddresses: strings(raw['ingress-addresses']), egressSubnets: strings(raw['egress-subnets']) };
}

const STATUS_NAMES: readonly StatusName[] = ['active', 'blocked', 'maintenance', 'waiting', 'unknown', 'error'];
const isStatusName = (value: unknown): value is StatusName => STATUS_NAMES.some((s) => s === value);

/** status-get --include-data: {"message","status","status-data"}. */
export function workloadStatus(tool: string, stdout: string): WorkloadStatus {
  const raw = record(tool, parseJson(tool, stdout));
  if (!isStatusName(raw.status)) throw new HookToolOutputError(tool, `unknown status ${JSON.stringify(raw.status) ?? 'undefined'}`);
  return { status: raw.status, message: typeof raw.message === 'string' ? raw.message : '' };
}

/** secret-info-get: {"<id>": {"revision": 3, "label": "…", "owner": "unit", …}}. */
export function secretInfo(tool: string, stdout: string): SecretInfo {
  const entries = Object.entries(record(tool, parseJson(tool, stdout)));
  const [first] = entries;
  if (entries.length !== 1 || first === undefined || !isRecord(first[1])) throw new HookToolOutputError(tool, `expected one secret, got ${entries.length}`);
  const [id, info] = first;
  const owner = info.owner === 'unit' ? 'unit' : 'application';
  const revision = typeof info.revision === 'number' ? info.revision : 0;
  return typeof info.label === 'string' && info.label !== '' ? { id, label: info.label, revision, owner } : { id, revision, owner };
}

/** secret-add prints the new secret's URI as plain text (it has no --format). */
export function secretUri(tool: string, stdout: string): string {
  const uri = stdout.trim();
  if (!/^secret:\S+$/.test(uri)) throw new HookToolOutputError(tool, 'expected a secret URI');
  return uri;
}

/** storage-get's {"kind":"block","location":"/dev/vdb"}. */
export function storageInfo(tool: string, stdout: string): StorageInfo {
  const value = record(tool, parseJson(tool, stdout));
  const { kind, location } = value;
  if (kind !== 'block' && kind !== 'filesystem') throw new HookToolOutputError(tool, `kind is ${describe(kind)}, not block or filesystem`);
  if (typeof location !== 'string' || location === '') throw new HookToolOutputError(tool, 'no location');
  return { kind, location };
}

/** resource-get prints the file's path and a newline (it has no --format). */
export function resourcePath(tool: string, stdout: string): string {
  const path = stdout.trim();
  if (!path.startsWith('/') || path.includes('\n')) throw new HookToolOutputError(tool, 'expected one absolute path');
  return path;
}
