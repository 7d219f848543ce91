// What the charm remembers between hooks (Juju charm state, unit-local, survives upgrade-charm):
// parsed once from the flat string bag into a typed record, written back only where it differs.
import type { Bag } from '../juju/hook-tools';

export interface RememberedDevice {
  /** the config entry it came from, e.g. "/var/lib/x.img|2G" */
  readonly spec: string;
  /** the block device it resolved to (a loop device for a file) */
  readonly device: string;
}

export interface CharmState {
  /** devices that are in the pool (checked once; never inspected again while the spec list is unchanged) */
  readonly poolDevices: readonly RememberedDevice[];
  /** device paths (or loop files) this charm ever wiped: never again, across hooks and upgrades */
  readonly wiped: readonly string[];
  /** sha256 of the trust password last written to LXD (LXD cannot read it back) */
  readonly trustPasswordHash: string;
  /** the generated trust password, when Juju has no secrets */
  readonly trustPassword: string;
  readonly trustSecretId: string;
  /** principal users last seen on the lxd relation and added to the group */
  readonly lxdUsers: readonly string[];
  /** the storage pool the charm made (or found under its name): a later storage-pool must not orphan it */
  readonly managedPool: string;
  /** what was last published on the lxd relation: "<pool>" */
  readonly publishedPool: string;
  readonly nonce: string;
  readonly workloadVersion: string;
  /** kernel modules modprobe could not load here: not retried every hook */
  readonly unloadableModules: readonly string[];
  /** "status|message" last set, so an unchanged status is not sent again */
  readonly lastStatus: string;
  /** packages the charm made sure are installed: not asked about again while the config wants no others */
  readonly ensuredPackages: readonly string[];
  /** the LXD snap channel the charm installed or moved to ("" until known; unused for the deb) */
  readonly snapChannel: string;
  /** when the pause action stopped LXD (ISO time); "" when not paused */
  readonly pausedSince: string;
  /** the kernel's values before sysctl-tuning first changed them: what turning it off restores */
  readonly sysctlPrevious: Readonly<Record<string, string>>;
  /** marker of the sysctl values last applied to the kernel ("" none): not applied again while equal */
  readonly sysctlApplied: string;
  /** modes of the hardened paths before kernel-hardening changed them (octal text): restored when off */
  readonly hardeningPrevious: Readonly<Record<string, string>>;
  /** server keys lxd-preseed last set: LXD drops a key set to its default, so "absent" then means "as set" */
  readonly preseedServer: Readonly<Record<string, string>>;
  /**
   * snap-host settings found or made as wanted, not read again: "homedirs:<dir>" (snapd's homedirs
   * covers it), "criu.enable" (set and the daemon reloaded), "var-lib-lxd" (the link to the snap's data)
   */
  readonly snapEnsured: readonly string[];
  /** sha256 of the lxd-snap resource installed with `snap install --dangerous` ("" none: the store's snap) */
  readonly snapSideload: string;
  /** https relation: trust entry name → "<fingerprint>|<projects>" last made so (the trust store is read only when this differs) */
  readonly httpsTrusted: Readonly<Record<string, string>>;
  /** https relation id → "<server fingerprint>|<addresses>" last published there */
  readonly httpsPublished: Readonly<Record<string, string>>;
}

export const STATE_KEYS: { readonly [K in keyof CharmState]: string } = {
  poolDevices: 'pool-devices',
  wiped: 'wiped-devices',
  trustPasswordHash: 'trust-password-hash',
  trustPassword: 'trust-password',
  trustSecretId: 'trust-secret-id',
  lxdUsers: 'lxd-users',
  managedPool: 'managed-pool',
  publishedPool: 'published-pool',
  nonce: 'nonce',
  workloadVersion: 'workload-version',
  unloadableModules: 'unloadable-modules',
  lastStatus: 'last-status',
  ensuredPackages: 'ensured-packages',
  snapChannel: 'snap-channel',
  pausedSince: 'paused-since',
  sysctlPrevious: 'sysctl-previous',
  sysctlApplied: 'sysctl-applied',
  hardeningPrevious: 'hardening-previous',
  preseedServer: 'preseed-server',
  snapEnsured: 'snap-ensured',
  snapSideload: 'snap-sideload',
  httpsTrusted: 'https-trusted',
  httpsPublished: 'https-published',
};

const jsonList = <T>(text: string | undefined, valid: (x: unknown) => x is T): T[] => {
  try {
    const v: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(v) ? v.filter(valid) : [];
  } catch {
    return [];
  }
};
/** a JSON object of strings ({} when absent or malformed) */
const jsonRecord = (text: string | undefined): Record<string, string> => {
  try {
    const v: unknown = JSON.parse(text || '{}');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
};
const isString = (x: unknown): x is string => typeof x === 'string';
const isDevice = (x: unknown): x is RememberedDevice =>
  typeof x === 'object' && x !== null && isString((x as RememberedDevice).spec) && isString((x as RememberedDevice).device);

export function readCharmState(bag: Bag): CharmState {
  const s = (k: keyof CharmState): string => bag[STATE_KEYS[k]] ?? '';
  return {
    poolDevices: jsonList(bag[STATE_KEYS.poolDevices], isDevice),
    wiped: jsonList(bag[STATE_KEYS.wiped], isString),
    trustPasswordHash: s('trustPasswordHash'),
    trustPassword: s('trustPassword'),
    trustSecretId: s('trustSecretId'),
    lxdUsers: jsonList(bag[STATE_KEYS.lxdUsers], isString),
    managedPool: s('managedPool'),
    publishedPool: s('publishedPool'),
    nonce: s('nonce'),
    workloadVersion: s('workloadVersion'),
    unloadableModules: jsonList(bag[STATE_KEYS.unloadableModules], isString),
    lastStatus: s('lastStatus'),
    ensuredPackages: jsonList(bag[STATE_KEYS.ensuredPackages], isString),
    snapChannel: s('snapChannel'),
    pausedSince: s('pausedSince'),
    sysctlPrevious: jsonRecord(bag[STATE_KEYS.sysctlPrevious]),
    sysctlApplied: s('sysctlApplied'),
    hardeningPrevious: jsonRecord(bag[STATE_KEYS.hardeningPrevious]),
    preseedServer: jsonRecord(bag[STATE_KEYS.preseedServer]),
    snapEnsured: jsonList(bag[STATE_KEYS.snapEnsured], isString),
    snapSideload: s('snapSideload'),
    httpsTrusted: jsonRecord(bag[STATE_KEYS.httpsTrusted]),
    httpsPublished: jsonRecord(bag[STATE_KEYS.httpsPublished]),
  };
}

export function writeCharmState(state: CharmState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(STATE_KEYS) as Array<[keyof CharmState, string]>) {
    const value = state[key];
    out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** Only the keys whose serialized value differs. An empty value is written as "" (Juju keeps it), which readCharmState reads as unset, like an absent key. */
export function stateChanges(before: Bag, after: CharmState): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const [name, value] of Object.entries(writeCharmState(after))) {
    const normalized = value === '[]' || value === '{}' ? '' : value;
    if ((before[name] ?? '') !== normalized) changes[name] = normalized;
  }
  return changes;
}
