// Charm config → a typed CharmConfig, or every problem at once. Pure: the schema check is the
// build-time generated ajv validator (no compiler at hook time), then rules a schema cannot say.
import validateSchema from './config-validator.generated';
import schema from './config-schema.json';
import type { CharmConfigValues, ConfigValue } from '../juju/hook-tools';
import { EMPTY_PRESEED, parsePreseed, type LxdPreseed } from './lxd-preseed';

export type StorageType = 'lvm' | 'btrfs' | 'zfs' | 'dir';
export type InstallSource = 'distro' | 'snap' | 'auto';

/** One entry of `block-devices`: a block device path, or a loop file `path|size`. */
export type DeviceSpec =
  | { readonly kind: 'device'; readonly spec: string; readonly path: string }
  | { readonly kind: 'loop'; readonly spec: string; readonly path: string; readonly sizeBytes: number };

/** `auto` lets LXD pick once; `none` turns the family off; otherwise a gateway address with prefix. */
export type BridgeAddress = 'auto' | 'none' | { readonly cidr: string };

export interface CharmConfig {
  readonly install: { readonly source: InstallSource; readonly snapChannel: string; readonly criu: boolean };
  readonly storage: {
    readonly type: StorageType;
    readonly pool: string;
    readonly devices: readonly DeviceSpec[];
    readonly overwrite: boolean;
    readonly volumeGroup: string;
    readonly thinpool: boolean;
    readonly ephemeralUnmount: string | null;
  };
  readonly network: {
    readonly bridge: string;
    readonly ipv4: BridgeAddress;
    readonly ipv6: BridgeAddress;
    readonly nat: boolean;
    readonly mtu: number;
  };
  readonly httpsPort: number;
  /** null: generate one and keep it */
  readonly trustPassword: string | null;
  readonly ext4Userns: boolean;
  readonly kernel: { readonly sysctlTuning: boolean; readonly hardening: boolean };
  /** lxd-preseed, checked against the pool and bridge the charm manages */
  readonly preseed: LxdPreseed;
}

export interface Problem {
  readonly option: string;
  readonly message: string;
}

export type ConfigResult = { readonly ok: true; readonly config: CharmConfig } | { readonly ok: false; readonly problems: readonly Problem[] };

const DEFAULT_LOOP_SIZE = 10 * 1024 ** 3;
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const MIN_LOOP_SIZE = 64 * 1024 ** 2;

/** Parses "20G", "512M", "1.5T" (binary units; a trailing B allowed). */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(text.trim());
  if (!m) return null;
  const unit = SIZE_UNITS[(m[2] ?? '').toUpperCase()];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}

function parseDevices(text: string, problems: Problem[]): DeviceSpec[] {
  const specs: DeviceSpec[] = [];
  const seen = new Set<string>();
  for (const spec of text.split(/\s+/).filter(Boolean)) {
    const [path = '', size, ...rest] = spec.split('|');
    if (!path.startsWith('/') || rest.length > 0 || /[^\w./+@:-]/.test(path) || path.includes('/../')) {
      problems.push({ option: 'block-devices', message: `"${spec}" is not an absolute device path or path|size` });
      continue;
    }
    if (seen.has(path)) {
      problems.push({ option: 'block-devices', message: `${path} is listed twice` });
      continue;
    }
    seen.add(path);
    if (size === undefined) {
      specs.push({ kind: 'device', spec, path });
      continue;
    }
    const sizeBytes = size === '' ? DEFAULT_LOOP_SIZE : parseSize(size);
    if (sizeBytes === null || sizeBytes < MIN_LOOP_SIZE) {
      problems.push({ option: 'block-devices', message: `"${spec}": size must be like 10G and at least 64M` });
      continue;
    }
    specs.push({ kind: 'loop', spec, path, sizeBytes });
  }
  return specs;
}

function isIpv4Cidr(cidr: string): boolean {
  const [addr = '', prefix = ''] = cidr.split('/');
  const octets = addr.split('.').map(Number);
  return octets.length === 4 && octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255) && Number(prefix) >= 1 && Number(prefix) <= 30;
}

function isIpv6Cidr(cidr: string): boolean {
  const [addr = '', prefix = ''] = cidr.split('/');
  const groups = addr.split('::');
  if (groups.length > 2) return false;
  const count = groups.flatMap((g) => (g ? g.split(':') : [])).length;
  const valid = groups.every((g) => g === '' || g.split(':').every((h) => /^[0-9a-f]{1,4}$/i.test(h)));
  return valid && (groups.length === 2 ? count < 8 : count === 8) && Number(prefix) >= 1 && Number(prefix) <= 128;
}

function bridgeAddress(option: string, value: string, family: 4 | 6, problems: Problem[]): BridgeAddress {
  if (value === 'auto' || value === 'none') return value;
  if (!(family === 4 ? isIpv4Cidr(value) : isIpv6Cidr(value))) {
    problems.push({ option, message: `"${value}" is not auto, none or a valid IPv${family} address/prefix` });
  }
  return { cidr: value };
}

/** Juju's schema error → one sentence naming the option. */
function schemaProblem(err: { instancePath: string; keyword: string; message?: string; params: Readonly<Record<string, unknown>> }): Problem {
  const option = err.instancePath.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~') || '(config)';
  if (err.keyword === 'enum' && Array.isArray(err.params.allowedValues)) {
    return { option, message: `must be one of ${err.params.allowedValues.join(', ')}` };
  }
  if (err.keyword === 'pattern') return { option, message: 'has an invalid format' };
  if (err.keyword === 'const') return { option, message: 'is not supported (must be false)' };
  return { option, message: err.message ?? err.keyword };
}

type SchemaProperties = Readonly<Record<string, { readonly default?: ConfigValue }>>;
const properties = schema.properties as SchemaProperties;

/** Config values with the schema's defaults filled in for options Juju did not report. */
export function withDefaults(values: CharmConfigValues): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = Object.create(null) as Record<string, ConfigValue>;
  for (const [key, prop] of Object.entries(properties)) if (prop.default !== undefined) out[key] = prop.default;
  for (const [key, value] of Object.entries(values)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}

export function parseConfig(values: CharmConfigValues): ConfigResult {
  const raw = withDefaults(values);
  const problems: Problem[] = [];
  if (!validateSchema(raw)) for (const err of validateSchema.errors ?? []) problems.push(schemaProblem(err));
  const bad = new Set(problems.map((p) => p.option));
  const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const num = (k: string): number => (typeof raw[k] === 'number' ? (raw[k] as number) : 0);
  const bool = (k: string): boolean => raw[k] === true;

  const devices = bad.has('block-devices') ? [] : parseDevices(str('block-devices'), problems);
  const type = str('storage-type') as StorageType;
  if (!bad.has('storage-type') && devices.length > 1 && type !== 'lvm') {
    problems.push({ option: 'block-devices', message: `storage-type ${type} takes at most one device (lvm spans several)` });
  }
  if (!bad.has('storage-type') && devices.length > 0 && type === 'dir') {
    problems.push({ option: 'block-devices', message: 'storage-type dir uses no block devices' });
  }
  const ipv4 = bad.has('bridge-ipv4') ? 'none' : bridgeAddress('bridge-ipv4', str('bridge-ipv4'), 4, problems);
  const ipv6 = bad.has('bridge-ipv6') ? 'none' : bridgeAddress('bridge-ipv6', str('bridge-ipv6'), 6, problems);
  let preseed: LxdPreseed = EMPTY_PRESEED;
  if (!bad.has('lxd-preseed') && str('lxd-preseed').trim() !== '') {
    const parsed = parsePreseed(str('lxd-preseed'), { pool: str('storage-pool'), bridge: str('bridge-name') });
    if (parsed.ok) preseed = parsed.preseed;
    else for (const message of parsed.problems) problems.push({ option: 'lxd-preseed', message });
  }
  if (problems.length > 0) return { ok: false, problems };

  const source = str('source');
  return {
    ok: true,
    config: {
      install: { source: source === '' ? 'auto' : (source as InstallSource), snapChannel: str('lxd-channel'), criu: bool('use-criu') },
      storage: {
        type,
        pool: str('storage-pool'),
        devices,
        overwrite: bool('overwrite'),
        volumeGroup: str('lvm-volume-group'),
        thinpool: bool('lvm-thinpool'),
        ephemeralUnmount: str('ephemeral-unmount') || null,
      },
      network: { bridge: str('bridge-name'), ipv4, ipv6, nat: bool('bridge-nat'), mtu: num('bridge-mtu') },
      httpsPort: num('https-port'),
      trustPassword: str('trust-password') || null,
      ext4Userns: bool('enable-ext4-userns'),
      kernel: { sysctlTuning: bool('sysctl-tuning'), hardening: bool('kernel-hardening') },
      preseed,
    },
  };
}

/** The blocked message for invalid config: every bad option, in one line. */
export const describeProblems = (problems: readonly Problem[]): string =>
  `invalid config: ${problems.map((p) => `${p.option} ${p.message}`).join('; ')}`;
