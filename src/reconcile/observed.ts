// What the adapters report about the host and LXD, gathered once per hook by observe.ts.
import type { DeviceFacts, PathKind, SubIdRange, VolumeGroup } from '../host/host';
import type { Network, PoolSpace, Profile, ServerInfo, StoragePool } from '../lxd/lxd-api';
import type { CharmState } from '../model/charm-state';
import type { ObservedKernelTuning } from './kernel-tuning';
import type { ObservedPreseed } from './preseed';
import type { ObservedHttps } from './https-relation';

export interface ObservedDevice {
  /** the resolved block device: the spec path, or the loop device attached to the file (null: not attached) */
  readonly device: string | null;
  /** null when not inspected (a loop file not attached yet) */
  readonly facts: DeviceFacts | null;
}

/** What a snap host shows of the settings nova needs; each part null when it was not read (ensured before). */
export interface ObservedSnapHost {
  /** lxd users (nova-compute's) → home directory */
  readonly homes: ReadonlyMap<string, string>;
  /** snapd's version and the homedirs option ("" unset); null: not read */
  readonly homedirs: { readonly snapdVersion: string | null; readonly value: string } | null;
  /** the lxd snap's criu.enable (null value: unset); null: not read */
  readonly criuEnable: { readonly value: string | null } | null;
  /** what is at /var/lib/lxd; null: not read */
  readonly varLibLxd: PathKind | null;
}

export interface Observed {
  readonly server: ServerInfo;
  readonly pools: readonly StoragePool[];
  /** the pool the charm made under a storage-pool name no longer configured, while it still exists */
  readonly formerPool: StoragePool | null;
  /** the configured pool's size as LXD reports it; null when there is no pool or LXD gives none */
  readonly poolSpace: PoolSpace | null;
  readonly networks: readonly Network[];
  readonly defaultProfile: { readonly devices: Profile['devices'] };
  /** by config spec; null when the remembered devices are unchanged and nothing was inspected */
  readonly devices: ReadonlyMap<string, ObservedDevice> | null;
  /** null when not read (devices unchanged) */
  readonly volumeGroups: readonly VolumeGroup[] | null;
  readonly ephemeralMounted: boolean;
  /** members of group lxd, null when the group does not exist */
  readonly lxdGroupMembers: readonly string[] | null;
  readonly existingUsers: ReadonlySet<string>;
  readonly inContainer: boolean;
  readonly loadedModules: ReadonlySet<string>;
  readonly ext4Userns: boolean | null;
  readonly rootSubIds: { readonly uid: readonly SubIdRange[]; readonly gid: readonly SubIdRange[] };
  /** of the packages the config wants and the charm never ensured, those installed; null: none to ask about */
  readonly installedPackages: ReadonlySet<string> | null;
  /** the channel the LXD snap tracks (null: no LXD snap); only read when LXD is the snap */
  readonly snapChannel: string | null;
  /** null where LXD is not the snap */
  readonly snapHost: ObservedSnapHost | null;
  readonly state: CharmState;
  /** sha256 of the trust password the charm wants (from config, secret or state) */
  readonly trustPasswordHash: string;
  /** sysctl-tuning and kernel-hardening: the drop-ins, kernel values, file modes */
  readonly kernelTuning: ObservedKernelTuning;
  /** the objects lxd-preseed names, as LXD has them (empty without a preseed) */
  readonly preseed: ObservedPreseed;
  /** the https relation's part of LXD's trust store (null: not read) */
  readonly https: ObservedHttps;
}
