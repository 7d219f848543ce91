// The charm's one boundary to the machine: packages, block devices, LVM, users and groups, kernel knobs.
// exec-host.ts implements it with run-process.ts and file reads; test/fakes/fake-host.ts in memory.
import type { KernelHost } from './kernel-host';
import type { LxdPackaging } from './lxd-service';

export type { LxdPackaging } from './lxd-service';
export type { KernelHost, SysctlWrite } from './kernel-host';

export interface OsRelease {
  readonly id: string; // "debian", "ubuntu"
  readonly versionId: string;
}

/** What is on a block device, from blkid/lsblk/pvs: the facts the overwrite guard needs. */
export type DeviceContent =
  | { readonly kind: 'empty' }
  | { readonly kind: 'filesystem'; readonly type: string }
  | { readonly kind: 'partition-table'; readonly type: string }
  | { readonly kind: 'lvm-pv'; readonly volumeGroup: string | null }
  | { readonly kind: 'other'; readonly type: string };

export type DeviceFacts =
  | { readonly exists: false }
  | { readonly exists: true; readonly isBlock: boolean; readonly content: DeviceContent };

export interface VolumeGroup {
  readonly name: string;
  readonly physicalVolumes: readonly string[];
}

export interface SubIdRange {
  readonly start: number;
  readonly count: number;
}

/** What is at a path, as lstat sees it (a symlink is not followed). */
export type PathKind =
  | { readonly kind: 'absent' }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'directory'; readonly empty: boolean }
  | { readonly kind: 'other' };

export interface Host extends KernelHost {
  osRelease(): Promise<OsRelease>;
  /** names of the given deb packages that are installed */
  installedPackages(names: readonly string[]): Promise<Set<string>>;
  /** installs debs; throws PackageError naming the package that failed */
  aptInstall(names: readonly string[]): Promise<void>;
  /** the installed snap's tracked channel ('' for a local snap), or null when it is not installed or
   * there is no snapd at all; throws SnapdError when snapd cannot answer */
  snapChannel(name: string): Promise<string | null>;
  /** snap refresh <name> --channel=<channel>; a failure is a PackageError naming the snap */
  snapRefresh(name: string, channel: string): Promise<void>;
  snapInstall(name: string, channel: string): Promise<void>;
  /** `snap install --dangerous <file>` (a sideloaded snap: no assertion, so `snap alias lxd.lxc lxc` too); a failure is a PackageError */
  snapInstallFile(name: string, file: string): Promise<void>;
  /** `snap refresh <name> --amend --channel=<channel>`: a sideloaded snap back to the store's */
  snapRefreshAmend(name: string, channel: string): Promise<void>;
  /** size, sha256 and the first 4 bytes (hex) of a file: what a resource is, without holding it in memory */
  fileDigest(path: string): Promise<{ readonly sizeBytes: number; readonly sha256: string; readonly head: string }>;
  /** snapd's version (`snap version`), e.g. "2.63"; null when it says none */
  snapdVersion(): Promise<string | null>;
  /** `snap get <snap> <key>`: the value, or null when the option was never set */
  snapGet(snap: string, key: string): Promise<string | null>;
  /** `snap set <snap> <key>=<value>`; a refusal is a HostCommandError with snapd's words */
  snapSet(snap: string, key: string, value: string): Promise<void>;
  /** the user's home directory from the passwd database, or null (no such user) */
  userHome(user: string): Promise<string | null>;
  /** what is at `path` (lstat) */
  pathKind(path: string): Promise<PathKind>;
  /** makes `path` a symlink to `target`; `replaceEmptyDir`: an empty directory there is removed first */
  symlink(target: string, path: string, replaceEmptyDir: boolean): Promise<void>;
  /** true inside a container: kernel knobs are then skipped */
  isContainer(): Promise<boolean>;

  inspectDevice(path: string): Promise<DeviceFacts>;
  /**
   * the loop device backed by this file, or null. `known`: the device this file was found on before;
   * while that device still shows this backing path it is trusted without re-checking the inode
   */
  loopDeviceFor(file: string, known?: string): Promise<string | null>;
  /** creates the sparse file if missing, attaches it (idempotent), returns the loop device */
  attachLoopFile(file: string, sizeBytes: number): Promise<string>;
  /** wipefs -a plus zeroing the first MiB: destroys what is on the device */
  wipeDevice(path: string): Promise<void>;
  volumeGroups(): Promise<VolumeGroup[]>;
  createVolumeGroup(name: string, devices: readonly string[]): Promise<void>;
  extendVolumeGroup(name: string, devices: readonly string[]): Promise<void>;
  /** grows an LVM thin pool over its volume group's free extents (its metadata first, where it would be short) */
  extendThinPool(volumeGroup: string, thinPool: string): Promise<void>;
  /** unmounts a mount point and drops it from /etc/fstab; no-op when not mounted */
  unmount(mountPoint: string): Promise<void>;
  isMounted(mountPoint: string): Promise<boolean>;

  userExists(user: string): Promise<boolean>;
  /** members of a group, or null when the group does not exist */
  groupMembers(group: string): Promise<string[] | null>;
  createGroup(group: string): Promise<void>;
  addUserToGroup(user: string, group: string): Promise<void>;

  /** loaded kernel modules among the names given */
  loadedModules(names: readonly string[]): Promise<Set<string>>;
  /** modprobe; false when the module cannot be loaded here */
  loadModule(name: string): Promise<boolean>;
  /** /sys/module/ext4/parameters/userns_mounts: null when the kernel has no such knob */
  ext4UsernsMounts(): Promise<boolean | null>;
  setExt4UsernsMounts(enabled: boolean): Promise<void>;
  /** root's ranges in /etc/subuid and /etc/subgid */
  subIds(user: string): Promise<{ uid: SubIdRange[]; gid: SubIdRange[] }>;
  addSubIds(user: string, range: SubIdRange): Promise<void>;

  /** stops LXD through the init system (lxd-service.ts): its instances are shut down cleanly first */
  stopLxd(packaging: LxdPackaging): Promise<void>;
  /** starts LXD through the init system; returns once the init system did (the API may need longer) */
  startLxd(packaging: LxdPackaging): Promise<void>;
  /** whether the init system has LXD's daemon or its socket active */
  lxdRunning(packaging: LxdPackaging): Promise<boolean>;
  /** reloads LXD's daemon (the snap's reload restarts it, instances keep running) and waits for it */
  reloadLxd(packaging: LxdPackaging): Promise<void>;
}

const MIB = 1024 ** 2;
/** LVM's bounds for thin pool metadata */
const THIN_METADATA_MIN = 2 * MIB;
const THIN_METADATA_MAX = 15.8 * 1024 * MIB;

/**
 * How much a thin pool's metadata must grow (bytes, whole MiB) before its data takes `freeBytes` more:
 * LVM's rule of thumb of 64 bytes per chunk, doubled for headroom, within LVM's bounds; 0 when it suffices.
 */
export function thinMetadataGrowth(pool: { readonly dataBytes: number; readonly metadataBytes: number; readonly chunkBytes: number }, freeBytes: number): number {
  if (!(pool.chunkBytes > 0) || !(freeBytes > 0)) return 0;
  const needed = Math.min(THIN_METADATA_MAX, Math.max(THIN_METADATA_MIN, ((pool.dataBytes + freeBytes) / pool.chunkBytes) * 64 * 2));
  const grow = needed - pool.metadataBytes;
  return grow > 0 ? Math.ceil(grow / MIB) * MIB : 0;
}

/** A package could not be installed: names it, with the package manager's own words. */
export class PackageError extends Error {
  constructor(
    readonly packageName: string,
    readonly detail: string,
  ) {
    super(`cannot install ${packageName}: ${detail}`);
    this.name = 'PackageError';
  }
}

/** A host command failed: the command name (never its secret-free argv beyond that) and stderr. */
export class HostCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(`${command} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    this.name = 'HostCommandError';
  }
}

/** snapd could not say whether a snap is installed (not running, its socket refused, …): nothing is known. */
export class SnapdError extends HostCommandError {
  constructor(exitCode: number | undefined, stderr: string) {
    super('snap list', exitCode, stderr);
    this.name = 'SnapdError';
  }
}
