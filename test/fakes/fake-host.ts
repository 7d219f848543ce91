// In-memory machine implementing Host: devices with contents, loop files, volume groups, users and
// groups, kernel knobs. Records every mutation so tests can assert "nothing was touched".
import { createHash } from 'node:crypto';
import type { SysctlWrite } from '../../src/host/kernel-host';
import { FakeKernel, type FakeKernelOptions } from './fake-kernel';
import { HostCommandError, PackageError, SnapdError, type DeviceContent, type DeviceFacts, type Host, type LxdPackaging, type OsRelease, type PathKind, type SubIdRange, type VolumeGroup } from '../../src/host/host';

export interface FakeHostOptions {
  readonly os?: OsRelease;
  readonly packages?: readonly string[];
  /** packages whose installation fails, with apt's words */
  readonly broken?: Readonly<Record<string, string>>;
  readonly devices?: Readonly<Record<string, DeviceContent>>;
  readonly users?: readonly string[];
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  readonly container?: boolean;
  readonly modules?: readonly string[];
  readonly loadable?: readonly string[];
  readonly ext4Userns?: boolean | null;
  readonly mounts?: readonly string[];
  /** installed snaps → tracked channel, e.g. { lxd: '5.21/stable' } */
  readonly snaps?: Readonly<Record<string, string>>;
  /** snapd cannot answer: snap list fails with these words (a SnapdError) */
  readonly snapdDown?: string;
  /** whether the init system has LXD running (default true) */
  readonly lxdRunning?: boolean;
  /** systemctl's (or snap's) words when stopping or starting LXD fails */
  readonly lxdStopFails?: string;
  readonly lxdStartFails?: string;
  /** the init system reports success, yet LXD keeps running (a unit it does not know of) */
  readonly lxdIgnoresStop?: boolean;
  /** sysctl values, read-only keys, file modes, managed files (fake-kernel.ts) */
  readonly kernel?: FakeKernelOptions;
  /** snapd's version (default 2.63) */
  readonly snapdVersion?: string;
  /** snap options already set: "<snap> <key>" → value, e.g. { 'system homedirs': '/srv' } */
  readonly snapOptions?: Readonly<Record<string, string>>;
  /** snap options whose `snap set` fails, with snapd's words: "<snap> <key>" → message */
  readonly snapSetFails?: Readonly<Record<string, string>>;
  /** home directories (default: root /root, others /home/<name>) */
  readonly homes?: Readonly<Record<string, string>>;
  /** what is at paths (default: absent) */
  readonly paths?: Readonly<Record<string, PathKind>>;
}

export class FakeHost implements Host {
  readonly packages: Set<string>;
  /** installed snaps → the channel each tracks */
  readonly snaps = new Map<string, string>();
  readonly devices = new Map<string, DeviceContent>();
  readonly loops = new Map<string, string>(); // file → loop device
  readonly files = new Map<string, number>(); // loop file → size
  readonly vgs = new Map<string, string[]>();
  readonly users: Set<string>;
  readonly groups = new Map<string, string[]>();
  readonly modules: Set<string>;
  ext4Userns: boolean | null;
  readonly subids = new Map<string, SubIdRange[]>();
  readonly mounts: Set<string>;
  lxdIsRunning: boolean;
  /** snap options: "<snap> <key>" → value */
  readonly snapOptions = new Map<string, string>();
  readonly paths = new Map<string, PathKind>();
  /** every mutation, in order */
  readonly actions: string[] = [];
  /** how many times a device's content was probed (blkid) */
  inspections = 0;
  /** sysctl, managed files and file modes */
  readonly kernel: FakeKernel;
  private nextLoop = 0;

  constructor(private readonly options: FakeHostOptions = {}) {
    this.packages = new Set(options.packages ?? ['lxd', 'lxd-client', 'lvm2', 'thin-provisioning-tools', 'btrfs-progs', 'nftables', 'dnsmasq-base', 'uidmap']);
    for (const [path, content] of Object.entries(options.devices ?? {})) this.devices.set(path, content);
    this.users = new Set(options.users ?? ['root', 'nova']);
    for (const [group, members] of Object.entries(options.groups ?? { lxd: [] })) this.groups.set(group, [...members]);
    this.modules = new Set(options.modules ?? []);
    this.ext4Userns = options.ext4Userns === undefined ? false : options.ext4Userns;
    this.subids.set('root', [{ start: 100000, count: 65536 }]);
    this.mounts = new Set(options.mounts ?? []);
    this.lxdIsRunning = options.lxdRunning ?? true;
    for (const [name, channel] of Object.entries(options.snaps ?? {})) this.snaps.set(name, channel);
    this.kernel = new FakeKernel(this.actions, options.kernel);
    for (const [key, value] of Object.entries(options.snapOptions ?? {})) this.snapOptions.set(key, value);
    for (const [path, kind] of Object.entries(options.paths ?? {})) this.paths.set(path, kind);
  }

  async osRelease(): Promise<OsRelease> {
    return this.options.os ?? { id: 'debian', versionId: '12' };
  }
  async installedPackages(names: readonly string[]): Promise<Set<string>> {
    return new Set(names.filter((n) => this.packages.has(n)));
  }
  async aptInstall(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const broken = this.options.broken?.[name];
      if (broken) throw new PackageError(name, broken);
      this.packages.add(name);
    }
    this.actions.push(`apt-get install ${names.join(' ')}`);
  }
  async snapChannel(name: string): Promise<string | null> {
    if (this.options.snapdDown !== undefined) throw new SnapdError(1, this.options.snapdDown);
    return this.snaps.get(name) ?? null;
  }
  async snapInstall(name: string, channel: string): Promise<void> {
    this.snaps.set(name, channel);
    this.actions.push(`snap install ${name} --channel=${channel}`);
  }
  async snapRefresh(name: string, channel: string): Promise<void> {
    if (!this.snaps.has(name)) throw new PackageError(`${name} (snap, ${channel})`, `snap "${name}" is not installed`);
    this.snaps.set(name, channel);
    this.actions.push(`snap refresh ${name} --channel=${channel}`);
  }
  /** files on this machine (resources): path → content */
  readonly fileContents = new Map<string, Buffer>();
  async snapInstallFile(name: string, file: string): Promise<void> {
    const content = this.fileContents.get(file);
    if (!content) throw new PackageError(`${name} (snap, ${file})`, `error: cannot open "${file}": no such file or directory`);
    if (content.subarray(0, 4).toString('latin1') !== 'hsqs') throw new PackageError(`${name} (snap, ${file})`, `error: cannot read "${file}": cannot process snap or snapdir: file "${file}" is invalid (header [${[...content.subarray(0, 4)].join(' ')}] "${content.subarray(0, 4).toString('latin1')}")`);
    this.snaps.set(name, '');
    this.actions.push(`snap install --dangerous ${file}`);
  }
  async snapRefreshAmend(name: string, channel: string): Promise<void> {
    if (!this.snaps.has(name)) throw new PackageError(`${name} (snap, ${channel})`, `snap "${name}" is not installed`);
    this.snaps.set(name, channel);
    this.actions.push(`snap refresh ${name} --amend --channel=${channel}`);
  }
  async fileDigest(path: string): Promise<{ sizeBytes: number; sha256: string; head: string }> {
    const content = this.fileContents.get(path);
    if (!content) throw new HostCommandError('open', 1, `${path}: no such file or directory`);
    return { sizeBytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), head: content.subarray(0, 4).toString('hex') };
  }
  async snapdVersion(): Promise<string | null> {
    return this.options.snapdVersion ?? '2.63';
  }
  async snapGet(snap: string, key: string): Promise<string | null> {
    return this.snapOptions.get(`${snap} ${key}`) ?? null;
  }
  async snapSet(snap: string, key: string, value: string): Promise<void> {
    const fails = this.options.snapSetFails?.[`${snap} ${key}`];
    if (fails) throw new HostCommandError('snap', 1, fails);
    this.snapOptions.set(`${snap} ${key}`, value);
    this.actions.push(`snap set ${snap} ${key}=${value}`);
  }
  async userHome(user: string): Promise<string | null> {
    if (!this.users.has(user)) return null;
    return this.options.homes?.[user] ?? (user === 'root' ? '/root' : `/home/${user}`);
  }
  async pathKind(path: string): Promise<PathKind> {
    return this.paths.get(path) ?? { kind: 'absent' };
  }
  async symlink(target: string, path: string, replaceEmptyDir: boolean): Promise<void> {
    const here = this.paths.get(path);
    if (here && !(replaceEmptyDir && here.kind === 'directory' && here.empty)) throw new HostCommandError('ln', 1, `${path} exists`);
    this.paths.set(path, { kind: 'symlink', target });
    this.actions.push(`ln -s ${target} ${path}`);
  }
  async isContainer(): Promise<boolean> {
    return this.options.container ?? false;
  }

  async inspectDevice(path: string): Promise<DeviceFacts> {
    const content = this.devices.get(path);
    if (!content) return { exists: false };
    this.inspections++;
    const vg = [...this.vgs].find(([, pvs]) => pvs.includes(path))?.[0];
    return { exists: true, isBlock: true, content: vg ? { kind: 'lvm-pv', volumeGroup: vg } : content };
  }
  async loopDeviceFor(file: string): Promise<string | null> {
    return this.loops.get(file) ?? null;
  }
  async attachLoopFile(file: string, sizeBytes: number): Promise<string> {
    const existing = this.loops.get(file);
    if (existing) return existing;
    if (!this.files.has(file)) this.files.set(file, sizeBytes);
    const device = `/dev/loop${this.nextLoop++}`;
    this.loops.set(file, device);
    if (!this.devices.has(device)) this.devices.set(device, { kind: 'empty' });
    this.actions.push(`losetup ${file}`);
    return device;
  }
  /** a reboot: loop devices are gone, files stay */
  reboot(): void {
    for (const device of this.loops.values()) this.devices.delete(device);
    this.loops.clear();
    this.nextLoop = 0; // losetup --find hands out the same numbers again
  }
  async wipeDevice(path: string): Promise<void> {
    this.devices.set(path, { kind: 'empty' });
    for (const [name, pvs] of this.vgs) this.vgs.set(name, pvs.filter((p) => p !== path));
    this.actions.push(`wipe ${path}`);
  }
  async volumeGroups(): Promise<VolumeGroup[]> {
    return [...this.vgs].map(([name, physicalVolumes]) => ({ name, physicalVolumes: [...physicalVolumes] }));
  }
  async createVolumeGroup(name: string, devices: readonly string[]): Promise<void> {
    if (this.vgs.has(name)) throw new Error(`vgcreate: A volume group called ${name} already exists.`);
    this.vgs.set(name, [...devices]);
    this.actions.push(`vgcreate ${name} ${devices.join(' ')}`);
  }
  async extendVolumeGroup(name: string, devices: readonly string[]): Promise<void> {
    const vg = this.vgs.get(name);
    if (!vg) throw new Error(`vgextend: Volume group "${name}" not found`);
    vg.push(...devices);
    this.actions.push(`vgextend ${name} ${devices.join(' ')}`);
  }
  async extendThinPool(volumeGroup: string, thinPool: string): Promise<void> {
    if (!this.vgs.has(volumeGroup)) throw new Error(`lvextend: Volume group "${volumeGroup}" not found`);
    this.actions.push(`lvextend ${volumeGroup}/${thinPool}`);
  }
  async isMounted(mountPoint: string): Promise<boolean> {
    return this.mounts.has(mountPoint);
  }
  async unmount(mountPoint: string): Promise<void> {
    this.mounts.delete(mountPoint);
    this.actions.push(`umount ${mountPoint}`);
  }
  async userExists(user: string): Promise<boolean> {
    return this.users.has(user);
  }
  async groupMembers(group: string): Promise<string[] | null> {
    const members = this.groups.get(group);
    return members ? [...members] : null;
  }
  async createGroup(group: string): Promise<void> {
    this.groups.set(group, []);
    this.actions.push(`groupadd ${group}`);
  }
  async addUserToGroup(user: string, group: string): Promise<void> {
    this.groups.get(group)?.push(user);
    this.actions.push(`gpasswd -a ${user} ${group}`);
  }
  async loadedModules(names: readonly string[]): Promise<Set<string>> {
    return new Set(names.filter((n) => this.modules.has(n)));
  }
  async loadModule(name: string): Promise<boolean> {
    this.actions.push(`modprobe ${name}`);
    if (!(this.options.loadable ?? ['netlink_diag']).includes(name)) return false;
    this.modules.add(name);
    return true;
  }
  async ext4UsernsMounts(): Promise<boolean | null> {
    return this.ext4Userns;
  }
  async setExt4UsernsMounts(enabled: boolean): Promise<void> {
    this.ext4Userns = enabled;
    this.actions.push(`ext4 userns_mounts=${enabled}`);
  }
  async subIds(user: string): Promise<{ uid: SubIdRange[]; gid: SubIdRange[] }> {
    const ranges = this.subids.get(user) ?? [];
    return { uid: [...ranges], gid: [...ranges] };
  }
  async addSubIds(user: string, range: SubIdRange): Promise<void> {
    this.subids.set(user, [...(this.subids.get(user) ?? []), range]);
    this.actions.push(`usermod subids ${user}`);
  }
  async stopLxd(packaging: LxdPackaging): Promise<void> {
    if (this.options.lxdStopFails) throw new HostCommandError(packaging === 'snap' ? 'snap' : 'systemctl', 1, this.options.lxdStopFails);
    if (!this.options.lxdIgnoresStop) this.lxdIsRunning = false;
    this.actions.push(`stop lxd (${packaging})`);
  }
  async startLxd(packaging: LxdPackaging): Promise<void> {
    if (this.options.lxdStartFails) throw new HostCommandError(packaging === 'snap' ? 'snap' : 'systemctl', 1, this.options.lxdStartFails);
    this.lxdIsRunning = true;
    this.actions.push(`start lxd (${packaging})`);
  }
  async lxdRunning(): Promise<boolean> {
    return this.lxdIsRunning;
  }

  readManagedFile(path: string): Promise<string | null> {
    return this.kernel.readManagedFile(path);
  }
  writeManagedFile(path: string, content: string): Promise<void> {
    return this.kernel.writeManagedFile(path, content);
  }
  removeManagedFile(path: string): Promise<void> {
    return this.kernel.removeManagedFile(path);
  }
  sysctlValues(keys: readonly string[]): Promise<Map<string, string>> {
    return this.kernel.sysctlValues(keys);
  }
  setSysctl(key: string, value: string): Promise<SysctlWrite> {
    return this.kernel.setSysctl(key, value);
  }
  fileMode(path: string): Promise<number | null> {
    return this.kernel.fileMode(path);
  }
  setFileMode(path: string, mode: number): Promise<void> {
    return this.kernel.setFileMode(path, mode);
  }
  async reloadLxd(packaging: LxdPackaging): Promise<void> {
    this.actions.push(`reload lxd (${packaging})`);
  }
}
