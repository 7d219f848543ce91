// The host the charm wants, computed from config, relation data and facts: pure data, no I/O.
import type { BridgeAddress, CharmConfig, DeviceSpec, StorageType } from './config';
import type { LxdConfig, LxdDevice } from '../lxd/lxd-api';
import { desiredSoftware, type LxdPackaging, type DesiredSoftware } from './software';
import type { LxdPreseed } from './lxd-preseed';
import { loopBootUnit } from './boot-unit';
import type { SnapResource } from './snap-resource';
import { NO_METRICS, type MetricsRelation } from './metrics';
import type { DesiredMetrics } from '../reconcile/metrics';
import { desiredHardening, desiredSysctl, type DesiredHardening, type DesiredSysctl } from './kernel-tuning';
import { NO_HTTPS, type HttpsRelation } from './https-clients';

export interface DesiredPool {
  readonly name: string;
  readonly driver: StorageType;
  readonly devices: readonly DeviceSpec[];
  /** lvm: the volume group the charm builds over the devices and hands to LXD as the source */
  readonly volumeGroup: string | null;
  /** creation-time config (LXD cannot change most of it later) */
  readonly config: LxdConfig;
  readonly overwrite: boolean;
  readonly ephemeralUnmount: string | null;
  /** the Juju storage device a -storage-detaching hook is about to take away (not in `devices`) */
  readonly detaching: { readonly id: string; readonly device: string } | null;
}

export interface DesiredBridge {
  readonly name: string;
  /** may hold `auto`: sent only at creation or when the family is off; a concrete stored value satisfies it */
  readonly config: LxdConfig;
}

export interface DesiredHost {
  readonly pool: DesiredPool;
  readonly bridge: DesiredBridge;
  readonly profileDevices: Readonly<Record<string, LxdDevice>>;
  /** core.https_address, e.g. "10.0.0.5:8443"; null: leave the listener as it is (the binding's address is unknown) */
  readonly httpsAddress: string | null;
  /** users that must be in group lxd (nova-compute's `user`) */
  readonly lxdUsers: readonly string[];
  readonly ext4Userns: boolean;
  readonly kernelModules: readonly string[];
  /** the packages this config needs, and the LXD snap channel where LXD is the snap */
  readonly software: DesiredSoftware;
  readonly sysctl: DesiredSysctl;
  readonly hardening: DesiredHardening;
  /** lxd-preseed's objects and server keys, on top of what the charm manages */
  readonly preseed: LxdPreseed;
  /** the systemd unit re-attaching the pool's loop files at boot (boot-unit.ts); null: no loop files, no unit */
  readonly loopBootUnit: string | null;
  /** the https relation's clients: their certificates trusted, this unit's published to them */
  readonly https: HttpsRelation;
  /** the lxd-snap resource on a snap host: a file to sideload, empty (back to the store), absent or null (as it is) */
  readonly snapResource: SnapResource | null;
  /** the cos-agent relation: LXD's /1.0/metrics for its collectors */
  readonly metrics: DesiredMetrics;
}

export interface DesiredInputs {
  readonly config: CharmConfig;
  /** the lxd-migration binding's address from network-get, or null when Juju gave none */
  readonly bindAddress: string | null;
  /** network-get failed: the address to listen on is unknown, so the listener is kept, not re-bound to all addresses */
  readonly keepListener?: boolean;
  readonly relationUsers: readonly string[];
  /** where LXD comes from (readInputs decides it: chooseSource) */
  readonly packaging: LxdPackaging;
  /** the https relation as read (default: none) */
  readonly https?: HttpsRelation;
  /** Juju storage `local` attached to the unit: more devices for the pool, after block-devices */
  readonly storage?: ReadonlyArray<{ readonly id: string; readonly location: string }>;
  readonly detaching?: { readonly id: string; readonly location: string } | null;
  readonly snapResource?: SnapResource | null;
  /** the cos-agent relation as read (default: none) */
  readonly metrics?: MetricsRelation;
}

/** A Juju storage device joins the pool like a block-devices entry, remembered by its storage id. */
function poolDevices(configured: readonly DeviceSpec[], storage: NonNullable<DesiredInputs['storage']>): DeviceSpec[] {
  const named = new Set(configured.map((d) => d.path));
  return [...configured, ...storage.filter((s) => !named.has(s.location)).map((s): DeviceSpec => ({ kind: 'device', spec: s.id, path: s.location }))];
}

export const LXD_GROUP = 'lxd';

const addressValue = (a: BridgeAddress): string => (typeof a === 'string' ? a : a.cidr);

function bridgeConfig(net: CharmConfig['network']): LxdConfig {
  const config: Record<string, string> = { 'bridge.mtu': String(net.mtu), 'ipv4.address': addressValue(net.ipv4), 'ipv6.address': addressValue(net.ipv6) };
  if (net.ipv4 !== 'none') config['ipv4.nat'] = String(net.nat);
  if (net.ipv6 !== 'none') config['ipv6.nat'] = String(net.nat);
  return config;
}

function poolConfig(storage: CharmConfig['storage']): LxdConfig {
  if (storage.type === 'lvm') return { 'lvm.vg_name': storage.volumeGroup, 'lvm.use_thinpool': String(storage.thinpool) };
  return {};
}

/** "host:port" with IPv6 in brackets. */
export function listenAddress(bindAddress: string, port: number): string {
  return bindAddress.includes(':') ? `[${bindAddress}]:${port}` : `${bindAddress}:${port}`;
}

export function desiredHost({ config, bindAddress, keepListener = false, relationUsers, packaging, https = NO_HTTPS, storage = [], detaching = null, snapResource = null, metrics = NO_METRICS }: DesiredInputs): DesiredHost {
  const { network } = config;
  return {
    pool: {
      name: config.storage.pool,
      driver: config.storage.type,
      devices: poolDevices(config.storage.devices, storage),
      volumeGroup: config.storage.type === 'lvm' ? config.storage.volumeGroup : null,
      config: poolConfig(config.storage),
      overwrite: config.storage.overwrite,
      ephemeralUnmount: config.storage.ephemeralUnmount,
      detaching: detaching ? { id: detaching.id, device: detaching.location } : null,
    },
    bridge: { name: network.bridge, config: bridgeConfig(network) },
    profileDevices: {
      root: { type: 'disk', path: '/', pool: config.storage.pool },
      eth0: { type: 'nic', name: 'eth0', network: network.bridge },
    },
    // no address known: the listener stays as it is (never all addresses in its place)
    httpsAddress: keepListener || bindAddress === null ? null : listenAddress(bindAddress, config.httpsPort),
    lxdUsers: [...new Set(relationUsers)].sort(),
    ext4Userns: config.ext4Userns,
    kernelModules: ['netlink_diag'],
    software: desiredSoftware(config, packaging),
    sysctl: desiredSysctl(config.kernel.sysctlTuning),
    hardening: desiredHardening(config.kernel.hardening),
    preseed: config.preseed,
    loopBootUnit: loopBootUnit(config.storage.devices, config.storage.type === 'lvm' ? config.storage.volumeGroup : null),
    https,
    snapResource: packaging === 'snap' ? snapResource : null,
    metrics: { relation: metrics, address: bindAddress, port: config.httpsPort },
  };
}

/** A Unix user name from another charm: refuse anything that could be an option or a path. */
export const isValidUserName = (name: string): boolean => /^[a-z_][a-z0-9_-]{0,31}$/.test(name);
