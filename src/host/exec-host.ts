// Host over real commands (run-process.ts, argv arrays, never a shell) and file reads. Reads that the hot path
// needs (groups, modules, subids, loop backing files, container markers) are plain file reads: no spawn.
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, rmdirSync, statSync, symlinkSync, writeFileSync, openSync, closeSync, ftruncateSync, createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { HostCommandError, PackageError, SnapdError, thinMetadataGrowth, type DeviceContent, type DeviceFacts, type Host, type OsRelease, type PathKind, type SubIdRange, type VolumeGroup } from './host';
import type { SysctlWrite } from './kernel-host';
import { lxdServiceCommands, type LxdPackaging } from './lxd-service';
import { ExecKernelHost } from './sysctl';

interface CommandOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
}

interface CommandResult {
  readonly failed: boolean;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly message: string;
  /** 'ENOENT' when the program is not there at all */
  readonly code: 'ENOENT' | null;
}

// node:child_process loads on first use: a hook that changes nothing spawns no host command and should not pay for it
async function exec(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const { runProcess } = await import('./run-process');
  const result = await runProcess(command, args, { env: { ...process.env, ...options.env }, ...(options.input === undefined ? {} : { stdin: options.input }) });
  return { failed: result.exitCode !== 0, exitCode: result.exitCode, stdout: result.stdout.replace(/\n$/, ''), stderr: result.stderr.replace(/\n$/, ''), message: `${command} ${result.started ? 'failed' : 'did not start'}: ${result.reason}`, code: !result.started && result.reason === 'not found on PATH' ? 'ENOENT' : null };
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

async function run(command: string, args: readonly string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<string> {
  const result = await exec(command, args, { env: { LANG: 'C', ...opts.env }, ...(opts.input === undefined ? {} : { input: opts.input }) });
  if (result.failed) throw new HostCommandError(command, result.exitCode, String(result.stderr || result.stdout || result.message));
  return String(result.stdout);
}

/**
 * What `snap list <name>` prints on stderr, after "error: ", when that snap is not installed (snapd's
 * cmd/snapd/cli/cmd_list.go ErrNoMatchingSnaps, exit status 1). Any other failure is snapd's.
 */
const SNAP_NOT_INSTALLED = /^error: no matching snaps installed$/m;

/**
 * The Tracking column of `snap list <name>` for that snap's row, found by its header (columns are
 * separated by runs of spaces and no cell holds one). "-" is a local snap, which tracks no channel: ''.
 */
export function trackingChannel(table: string, name: string): string {
  const [header, ...rows] = table.split('\n').filter((line) => line.trim() !== '');
  const column = (header ?? '').trim().split(/\s+/).indexOf('Tracking');
  const row = rows.map((line) => line.trim().split(/\s+/)).find((cells) => cells[0] === name);
  if (column < 0 || row === undefined) throw new SnapdError(0, `snap list ${name} printed no Tracking column for ${name}`);
  const channel = row[column] ?? '';
  return channel === '-' ? '' : channel;
}

/** parses /etc/group-style or /etc/subuid-style colon files */
const colonLines = (text: string | null): string[][] => (text ?? '').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));

export class ExecHost implements Host {
  private readonly kernel: ExecKernelHost;

  constructor(private readonly root: { etc: string; sys: string; proc: string; run: string } = { etc: '/etc', sys: '/sys', proc: '/proc', run: '/run' }) {
    const at = (path: string): string => path.replace(/^\/(etc|sys|proc)(?=\/)/, (_m, top: 'etc' | 'sys' | 'proc') => this.root[top]);
    const runCommand = async (command: string, args: readonly string[]) => {
      const result = await exec(command, args, { env: { LANG: 'C' } });
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr || (result.code === 'ENOENT' ? result.message : '') };
    };
    this.kernel = new ExecKernelHost(runCommand, at);
  }

  async osRelease(): Promise<OsRelease> {
    const text = readText(`${this.root.etc}/os-release`) ?? '';
    const field = (k: string): string => /^(\w+)=(.*)$/m.exec(text.split('\n').find((l) => l.startsWith(`${k}=`)) ?? '')?.[2]?.replace(/^"|"$/g, '') ?? '';
    return { id: field('ID'), versionId: field('VERSION_ID') };
  }

  async installedPackages(names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const result = await exec('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...names]);
    const installed = String(result.stdout).split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0] ?? '');
    return new Set(installed);
  }

  async aptInstall(names: readonly string[]): Promise<void> {
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const result = await exec('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env });
    if (!result.failed) return;
    // Name the package that failed: retry one by one (apt reports the whole transaction otherwise).
    for (const name of names) {
      const one = await exec('apt-get', ['install', '-y', '--no-install-recommends', name], { env });
      if (one.failed) throw new PackageError(name, String(one.stderr).trim().split('\n').slice(-2).join(' ') || `exit ${one.exitCode}`);
    }
  }

  async snapChannel(name: string): Promise<string | null> {
    // LC_ALL=C: snap translates both its table's headers and its error messages
    const result = await exec('snap', ['list', name], { env: { LC_ALL: 'C', LANG: 'C' } });
    const stderr = String(result.stderr);
    if (result.code === 'ENOENT') return null; // no snap command: no snapd, so no snap is installed
    if (result.exitCode === 1 && SNAP_NOT_INSTALLED.test(stderr)) return null;
    if (result.failed) throw new SnapdError(result.exitCode, stderr || (result.message ?? `exit ${String(result.exitCode)}`));
    return trackingChannel(String(result.stdout), name);
  }

  async snapInstall(name: string, channel: string): Promise<void> {
    const result = await exec('snap', ['install', name, `--channel=${channel}`]);
    if (result.failed) throw new PackageError(`${name} (snap, ${channel})`, String(result.stderr).trim());
  }

  async snapInstallFile(name: string, file: string): Promise<void> {
    const result = await exec('snap', ['install', '--dangerous', file]);
    if (result.failed) throw new PackageError(`${name} (snap, ${file})`, String(result.stderr).trim());
    // the store's assertion makes the lxc alias; a dangerous install has none (as canonical/charm-lxd does)
    if (name === 'lxd') {
      const alias = await exec('snap', ['alias', 'lxd.lxc', 'lxc']);
      if (alias.failed) throw new PackageError(`${name} (snap alias lxd.lxc lxc)`, String(alias.stderr).trim());
    }
  }

  async snapRefreshAmend(name: string, channel: string): Promise<void> {
    const result = await exec('snap', ['refresh', name, '--amend', `--channel=${channel}`]);
    if (result.failed) throw new PackageError(`${name} (snap, ${channel})`, String(result.stderr).trim());
  }

  async fileDigest(path: string): Promise<{ sizeBytes: number; sha256: string; head: string }> {
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    let sizeBytes = 0;
    for await (const chunk of createReadStream(path)) {
      const bytes = chunk as Buffer;
      if (head.length < 4) head = Buffer.concat([head, bytes.subarray(0, 4 - head.length)]);
      sizeBytes += bytes.length;
      hash.update(bytes);
    }
    return { sizeBytes, sha256: hash.digest('hex'), head: head.toString('hex') };
  }

  async snapRefresh(name: string, channel: string): Promise<void> {
    const result = await exec('snap', ['refresh', name, `--channel=${channel}`]);
    if (result.failed) throw new PackageError(`${name} (snap, ${channel})`, String(result.stderr).trim());
  }

  async snapdVersion(): Promise<string | null> {
    return /^snapd\s+(\S+)/m.exec(await run('snap', ['version']))?.[1] ?? null;
  }

  async snapGet(snap: string, key: string): Promise<string | null> {
    const result = await exec('snap', ['get', snap, key], { env: { LANG: 'C' } });
    if (!result.failed) return String(result.stdout).trim();
    // snapd's words for an option never set; anything else is a failure to read it
    if (/has no "[^"]+" configuration option/.test(String(result.stderr))) return null;
    throw new HostCommandError('snap get', result.exitCode, String(result.stderr || result.message));
  }

  async snapSet(snap: string, key: string, value: string): Promise<void> {
    await run('snap', ['set', snap, `${key}=${value}`]);
  }

  async userHome(user: string): Promise<string | null> {
    const line = (readText(`${this.root.etc}/passwd`) ?? '').split('\n').find((l) => l.split(':')[0] === user);
    return line?.split(':')[5] || null;
  }

  async pathKind(path: string): Promise<PathKind> {
    let st;
    try {
      st = lstatSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      throw err;
    }
    if (st.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(path) };
    if (st.isDirectory()) return { kind: 'directory', empty: readdirSync(path).length === 0 };
    return { kind: 'other' };
  }

  async symlink(target: string, path: string, replaceEmptyDir: boolean): Promise<void> {
    if (replaceEmptyDir) rmdirSync(path); // fails (ENOTEMPTY) rather than remove anything in it
    symlinkSync(target, path);
  }

  async isContainer(): Promise<boolean> {
    if (existsSync(`${this.root.run}/container_type`) || existsSync(`${this.root.run}/systemd/container`)) return true;
    const environ = readText(`${this.root.proc}/1/environ`);
    return environ !== null && environ.split('\0').some((e) => e.startsWith('container='));
  }

  async inspectDevice(path: string): Promise<DeviceFacts> {
    let isBlock: boolean;
    try {
      isBlock = statSync(path).isBlockDevice();
    } catch {
      return { exists: false };
    }
    if (!isBlock) return { exists: true, isBlock: false, content: { kind: 'other', type: 'not a block device' } };
    return { exists: true, isBlock: true, content: await this.deviceContent(path) };
  }

  private async deviceContent(path: string): Promise<DeviceContent> {
    // blkid -p probes the device itself (no cache): exit 2 means nothing found
    const probe = await exec('blkid', ['-p', '-o', 'export', path]);
    if (probe.exitCode === 2) return { kind: 'empty' };
    if (probe.failed) throw new HostCommandError('blkid', probe.exitCode, String(probe.stderr));
    const fields = Object.fromEntries(String(probe.stdout).split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (fields.PTTYPE) return { kind: 'partition-table', type: fields.PTTYPE };
    if (fields.TYPE === 'LVM2_member') {
      const out = await run('pvs', ['--reportformat', 'json', '-o', 'pv_name,vg_name', path]).catch(() => '');
      const report = parseLvmReport(out, 'pv');
      return { kind: 'lvm-pv', volumeGroup: report[0]?.vg_name || null };
    }
    if (fields.TYPE) return { kind: 'filesystem', type: fields.TYPE };
    return { kind: 'other', type: fields.USAGE ?? 'unknown signature' };
  }

  async loopDeviceFor(file: string, known?: string): Promise<string | null> {
    // the steady state of every hook: the device found (and checked by inode) before still backs this
    // path. An attached loop device keeps its backing file, so a /sys read is enough (no losetup spawn)
    const knownName = known && /^\/dev\/(loop\d+)$/.exec(known)?.[1];
    if (knownName && readText(`${this.root.sys}/block/${knownName}/loop/backing_file`)?.trim() === file) return known;
    let entries: string[];
    try {
      entries = readdirSync(`${this.root.sys}/block`).filter((n) => n.startsWith('loop'));
    } catch {
      return null;
    }
    for (const name of entries) {
      const backing = readText(`${this.root.sys}/block/${name}/loop/backing_file`)?.trim();
      if (backing === file && (await this.isBackedBy(`/dev/${name}`, file))) return `/dev/${name}`;
    }
    return null;
  }

  // A path names different files in different mount views (containers, the emulator's machines),
  // while loop devices are global: trust a match only if it is the very same inode on the same device.
  private async isBackedBy(device: string, file: string): Promise<boolean> {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return false;
    }
    const out = await run('losetup', ['--list', '--json', '--output', 'NAME,BACK-INO,BACK-MAJ:MIN', device]);
    const entry = (JSON.parse(out) as { loopdevices?: Array<Record<string, string | number | null>> }).loopdevices?.[0];
    if (!entry) return false;
    const major = Number((BigInt(stat.dev) >> 8n) & 0xfffn) | Number((BigInt(stat.dev) >> 32n) & ~0xfffn);
    const minor = Number(BigInt(stat.dev) & 0xffn) | Number((BigInt(stat.dev) >> 12n) & ~0xffn);
    return String(entry['back-ino']) === String(stat.ino) && String(entry['back-maj:min']).trim() === `${major}:${minor}`;
  }

  async attachLoopFile(file: string, sizeBytes: number): Promise<string> {
    const attached = await this.loopDeviceFor(file);
    if (attached) return attached;
    if (!existsSync(file)) {
      const fd = openSync(file, 'wx', 0o600);
      try {
        ftruncateSync(fd, sizeBytes); // sparse
      } finally {
        closeSync(fd);
      }
    }
    return (await run('losetup', ['--find', '--show', file])).trim();
  }

  async wipeDevice(path: string): Promise<void> {
    await run('wipefs', ['--all', '--force', path]);
    await run('dd', ['if=/dev/zero', `of=${path}`, 'bs=1M', 'count=1', 'conv=fsync', 'status=none']);
  }

  async volumeGroups(): Promise<VolumeGroup[]> {
    const out = await run('pvs', ['--reportformat', 'json', '-o', 'pv_name,vg_name']);
    const groups = new Map<string, string[]>();
    for (const pv of parseLvmReport(out, 'pv')) {
      if (!pv.vg_name) continue;
      groups.set(pv.vg_name, [...(groups.get(pv.vg_name) ?? []), pv.pv_name ?? '']);
    }
    return [...groups].map(([name, physicalVolumes]) => ({ name, physicalVolumes }));
  }

  async createVolumeGroup(name: string, devices: readonly string[]): Promise<void> {
    await run('vgcreate', ['--yes', name, ...devices]);
  }

  async extendVolumeGroup(name: string, devices: readonly string[]): Promise<void> {
    await run('vgextend', ['--yes', name, ...devices]);
  }

  async extendThinPool(volumeGroup: string, thinPool: string): Promise<void> {
    const lv = `${volumeGroup}/${thinPool}`;
    const bytes = ['--reportformat', 'json', '--units', 'b', '--nosuffix'];
    const pool = parseLvmReport(await run('lvs', [...bytes, '-o', 'lv_size,lv_metadata_size,chunk_size', lv]), 'lv')[0] ?? {};
    const freeBytes = Number(parseLvmReport(await run('vgs', [...bytes, '-o', 'vg_free', volumeGroup]), 'vg')[0]?.vg_free ?? 0);
    const grow = thinMetadataGrowth({ dataBytes: Number(pool.lv_size ?? 0), metadataBytes: Number(pool.lv_metadata_size ?? 0), chunkBytes: Number(pool.chunk_size ?? 0) }, freeBytes);
    // metadata first: data taking every free extent would leave it none (LVM grows the spare with it)
    if (grow > 0) await run('lvextend', ['--yes', `--poolmetadatasize=+${grow / 1024 ** 2}m`, lv]);
    if (freeBytes - 2 * grow > 0) await run('lvextend', ['--yes', '-l', '+100%FREE', lv]);
  }

  async isMounted(mountPoint: string): Promise<boolean> {
    return (readText(`${this.root.proc}/self/mounts`) ?? '').split('\n').some((l) => l.split(' ')[1] === mountPoint);
  }

  async unmount(mountPoint: string): Promise<void> {
    if (await this.isMounted(mountPoint)) await run('umount', [mountPoint]);
    const fstab = readText(`${this.root.etc}/fstab`);
    if (fstab === null) return;
    const kept = fstab.split('\n').filter((l) => l.trim().startsWith('#') || l.trim().split(/\s+/)[1] !== mountPoint);
    if (kept.join('\n') !== fstab) writeFileSync(`${this.root.etc}/fstab`, kept.join('\n'));
  }

  async userExists(user: string): Promise<boolean> {
    return colonLines(readText(`${this.root.etc}/passwd`)).some((f) => f[0] === user);
  }

  async groupMembers(group: string): Promise<string[] | null> {
    const line = colonLines(readText(`${this.root.etc}/group`)).find((f) => f[0] === group);
    return line ? (line[3] ?? '').split(',').filter(Boolean) : null;
  }

  async createGroup(group: string): Promise<void> {
    await run('groupadd', ['--system', group]);
  }

  async addUserToGroup(user: string, group: string): Promise<void> {
    await run('gpasswd', ['--add', user, group]);
  }

  async loadedModules(names: readonly string[]): Promise<Set<string>> {
    const loaded = new Set((readText(`${this.root.proc}/modules`) ?? '').split('\n').map((l) => l.split(' ')[0]));
    return new Set(names.filter((n) => loaded.has(n) || existsSync(`${this.root.sys}/module/${n}`)));
  }

  async loadModule(name: string): Promise<boolean> {
    const result = await exec('modprobe', [name]);
    return !result.failed;
  }

  async ext4UsernsMounts(): Promise<boolean | null> {
    const value = readText(`${this.root.sys}/module/ext4/parameters/userns_mounts`);
    return value === null ? null : /^(Y|1)/.test(value.trim());
  }

  async setExt4UsernsMounts(enabled: boolean): Promise<void> {
    writeFileSync(`${this.root.sys}/module/ext4/parameters/userns_mounts`, enabled ? 'Y' : 'N');
  }

  async subIds(user: string): Promise<{ uid: SubIdRange[]; gid: SubIdRange[] }> {
    const ranges = (file: string): SubIdRange[] =>
      colonLines(readText(`${this.root.etc}/${file}`)).filter((f) => f[0] === user).map((f) => ({ start: Number(f[1]), count: Number(f[2]) }));
    return { uid: ranges('subuid'), gid: ranges('subgid') };
  }

  async addSubIds(user: string, range: SubIdRange): Promise<void> {
    const spec = `${range.start}-${range.start + range.count - 1}`;
    await run('usermod', ['--add-subuids', spec, '--add-subgids', spec, user]);
  }

  async stopLxd(packaging: LxdPackaging): Promise<void> {
    const [command, ...args] = lxdServiceCommands(packaging).stop;
    await run(command ?? '', args);
  }

  async startLxd(packaging: LxdPackaging): Promise<void> {
    const [command, ...args] = lxdServiceCommands(packaging).start;
    await run(command ?? '', args);
  }

  async reloadLxd(packaging: LxdPackaging): Promise<void> {
    const commands = lxdServiceCommands(packaging);
    const [command, ...args] = commands.reload;
    await run(command ?? '', args);
    await run('lxd', ['waitready', '--timeout=120'], { env: { LXD_DIR: commands.lxdDir } });
  }

  async lxdRunning(packaging: LxdPackaging): Promise<boolean> {
    const [command, ...args] = lxdServiceCommands(packaging).isActive;
    const result = await exec(command ?? '', args, { env: { LANG: 'C' } });
    // 3 and 4 are systemctl's "inactive" and "no such unit"; anything else means it could not tell
    if (result.exitCode === 0) return true;
    if (result.exitCode === 3 || result.exitCode === 4) return false;
    throw new HostCommandError(command ?? '', result.exitCode, String(result.stderr || result.message));
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
}

/** `pvs --reportformat json` → rows of the named report. */
export function parseLvmReport(json: string, kind: 'pv' | 'vg' | 'lv'): Array<Record<string, string | undefined>> {
  try {
    const parsed = JSON.parse(json) as { report?: Array<Record<string, unknown>> };
    const rows = parsed.report?.[0]?.[kind];
    return Array.isArray(rows) ? (rows as Array<Record<string, string | undefined>>) : [];
  } catch {
    return [];
  }
}
