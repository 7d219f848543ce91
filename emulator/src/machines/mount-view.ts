// Each machine's private mount view: a persistent mount namespace (and UTS namespace for its
// hostname) kept alive by bind-mounting the namespace files under `<machineDir>/ns`, which is itself a
// private mount so the bind does not propagate into the namespace it pins.

import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, tryRun } from './command';
import type { LxdPackaging } from './snap-flavour';

/** guest directories every machine keeps to itself, whatever its LXD packaging */
const SHARED_PRIVATE_DIRS = [
  '/var/log/lxd',
  '/var/cache/lxd',
  '/var/lib/juju',
  '/var/log/juju',
  // nova's home on a nova-compute host (the nova-common deb makes it)
  '/var/lib/nova',
  // the lxd charm's own files (its metrics certificate and key): one machine's, never another's
  '/var/lib/lxd-charm',
  '/root',
  '/home',
] as const;

/** guest directories that belong to the machine: bind-mounted from `<machineDir>/fs/<slug>` */
export const PRIVATE_DIRS = ['/var/lib/lxd', ...SHARED_PRIVATE_DIRS] as const;

/**
 * A snap-shaped machine has no /var/lib/lxd (its LXD lives in /var/snap) and snapd's state of its own.
 * Its whole /var/lib is a private directory that shows the host's entries (bound in one by one) except
 * lxd, so that a charm can make /var/lib/lxd there, as on a real snap host.
 */
export const SNAP_PRIVATE_DIRS = ['/var/snap', '/var/lib/snapd', ...SHARED_PRIVATE_DIRS] as const;

/** guest /var/lib entries a snap-shaped machine does not take from the host */
const NOT_FROM_HOST_VAR_LIB = ['lxd', 'snapd', 'juju', 'nova', 'lxd-charm'];

export const privateDirsOf = (packaging: LxdPackaging): readonly string[] => (packaging === 'snap' ? SNAP_PRIVATE_DIRS : PRIVATE_DIRS);

export interface MountViewPaths {
  nsDir: string;
  mntNs: string;
  utsNs: string;
  etcUpper: string;
  etcWork: string;
  cgroupStash: string;
  /** guest path → host path */
  mounts: Record<string, string>;
  /**
   * kernel files whose mode a charm may change (kernel-hardening), guest path → the machine's own
   * stand-in: a chmod inside the machine must not change the host's /proc or /sys
   */
  kernelStandIns: Record<string, { readonly host: string; readonly kind: 'file' | 'dir'; readonly mode: number }>;
  /**
   * spare sysfs and proc mounts with nothing mounted over them: the kernel lets an unprivileged container
   * mount sysfs or proc only where one such "fully visible" instance exists, and the stand-ins cover parts
   * of /sys and /proc
   */
  visibleMounts: { readonly sys: string; readonly proc: string };
  /** snap-shaped machines: the host directory that is the machine's /var/lib; null: the host's own */
  varLib: string | null;
}

export function mountViewPaths(machineDir: string, packaging: LxdPackaging = 'deb'): MountViewPaths {
  const mounts: Record<string, string> = {};
  for (const guest of privateDirsOf(packaging)) mounts[guest] = path.join(machineDir, 'fs', guest.slice(1).replace(/\//g, '-'));
  const nsDir = path.join(machineDir, 'ns');
  return {
    varLib: packaging === 'snap' ? path.join(machineDir, 'fs', 'var-lib') : null,
    nsDir,
    mntNs: path.join(nsDir, 'mnt'),
    utsNs: path.join(nsDir, 'uts'),
    etcUpper: path.join(machineDir, 'etc', 'upper'),
    etcWork: path.join(machineDir, 'etc', 'work'),
    cgroupStash: path.join(machineDir, 'cgroup-stash'),
    mounts,
    visibleMounts: { sys: path.join(machineDir, 'visible', 'sys'), proc: path.join(machineDir, 'visible', 'proc') },
    kernelStandIns: {
      '/proc/sched_debug': { host: path.join(machineDir, 'kernel', 'sched_debug'), kind: 'file', mode: 0o444 },
      '/sys/kernel/slab': { host: path.join(machineDir, 'kernel', 'slab'), kind: 'dir', mode: 0o755 },
    },
  };
}

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The script run once inside the new mount + UTS namespace (already inside the machine's network
 * namespace, so the fresh sysfs shows the machine's interfaces, as `ip netns exec` does).
 */
export function setupScript(paths: MountViewPaths, hostname: string): string {
  const q = shellQuote;
  const lines = [
    'set -e',
    `mount -t overlay overlay -o ${q(`lowerdir=/etc,upperdir=${paths.etcUpper},workdir=${paths.etcWork}`)} /etc`,
  ];
  if (paths.varLib !== null) lines.push(...privateVarLibLines(paths.varLib));
  for (const [guest, host] of Object.entries(paths.mounts)) {
    lines.push(`mkdir -p ${q(guest)}`, `mount --bind ${q(host)} ${q(guest)}`);
  }
  lines.push(
    // LVM's lock files and run state are named after VGs: private, so equal VG names do not collide
    'mkdir -p /run/lvm /run/lock',
    'mount -t tmpfs -o mode=0700 jemu-run-lvm /run/lvm',
    'mount -t tmpfs -o mode=1777 jemu-run-lock /run/lock',
    `mount --rbind /sys/fs/cgroup ${q(paths.cgroupStash)}`,
    'mount -t sysfs sysfs /sys',
    `mount --move ${q(paths.cgroupStash)} /sys/fs/cgroup`,
  );
  lines.push(`mount -t sysfs jemu-visible-sysfs ${q(paths.visibleMounts.sys)}`, `mount -t proc jemu-visible-proc ${q(paths.visibleMounts.proc)}`);
  // only where the host kernel has the path: a kernel without it stays without it in the machine too
  for (const [guest, standIn] of Object.entries(paths.kernelStandIns)) {
    lines.push(`if [ -e ${q(guest)} ]; then mount --bind ${q(standIn.host)} ${q(guest)}; fi`);
  }
  lines.push(`hostname ${q(hostname)}`);
  return lines.join('\n') + '\n';
}

/**
 * Makes `varLib` the machine's /var/lib: each host entry but NOT_FROM_HOST_VAR_LIB bound (or, for a
 * symlink, copied) into it first, while the host's /var/lib is still in view, then the whole tree moved
 * over /var/lib at once (the model's own directory may live under the host's /var/lib).
 */
export function privateVarLibLines(varLib: string): string[] {
  const q = shellQuote;
  const skip = NOT_FROM_HOST_VAR_LIB.join('|');
  return [
    `PRIV=${q(varLib)}`,
    'for e in /var/lib/* /var/lib/.[!.]*; do',
    '  [ -e "$e" ] || [ -L "$e" ] || continue',
    '  name=${e##*/}',
    `  case "$name" in ${skip}) continue ;; esac`,
    '  if [ -L "$e" ]; then cp -P "$e" "$PRIV/$name"',
    '  elif [ -d "$e" ]; then mkdir -p "$PRIV/$name" && mount --bind "$e" "$PRIV/$name"',
    '  else { [ -e "$PRIV/$name" ] || : > "$PRIV/$name"; } && mount --bind "$e" "$PRIV/$name"',
    '  fi',
    'done',
    'mount --rbind "$PRIV" /var/lib',
  ];
}

/** Files the machine's /etc starts with (written into the overlay's upper dir before it is mounted). */
export async function seedEtc(paths: MountViewPaths, hostname: string, files: Record<string, string>): Promise<void> {
  await mkdir(paths.etcUpper, { recursive: true });
  await mkdir(paths.etcWork, { recursive: true });
  await writeFile(path.join(paths.etcUpper, 'hostname'), `${hostname}\n`);
  await copyFile('/etc/hosts', path.join(paths.etcUpper, 'hosts')).catch(() => writeFile(path.join(paths.etcUpper, 'hosts'), '127.0.0.1 localhost\n'));
  await writeFile(path.join(paths.etcUpper, 'hosts'), `127.0.1.1 ${hostname}\n`, { flag: 'a' });
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(paths.etcUpper, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** Creates the persistent mount and UTS namespaces inside the machine's network namespace. */
export async function createMountView(paths: MountViewPaths, netnsPath: string, hostname: string): Promise<void> {
  for (const host of Object.values(paths.mounts)) await mkdir(host, { recursive: true });
  for (const dir of Object.values(paths.visibleMounts)) await mkdir(dir, { recursive: true });
  for (const standIn of Object.values(paths.kernelStandIns)) {
    await mkdir(path.dirname(standIn.host), { recursive: true });
    if (standIn.kind === 'dir') await mkdir(standIn.host, { recursive: true });
    else await writeFile(standIn.host, '');
    await chmod(standIn.host, standIn.mode);
  }
  if (paths.varLib !== null) await mkdir(paths.varLib, { recursive: true });
  await mkdir(paths.cgroupStash, { recursive: true });
  await mkdir(paths.nsDir, { recursive: true });
  await run(['mount', '--bind', paths.nsDir, paths.nsDir]);
  await run(['mount', '--make-private', paths.nsDir]);
  await writeFile(paths.mntNs, '');
  await writeFile(paths.utsNs, '');
  await run([
    'nsenter', `--net=${netnsPath}`, '--',
    'unshare', `--mount=${paths.mntNs}`, `--uts=${paths.utsNs}`, '--propagation', 'private',
    '/bin/sh', '-c', setupScript(paths, hostname),
  ]);
}

/** Host mount points under `dir` (deepest first), from /proc/self/mountinfo. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = path.resolve(dir);
  const points = mountinfo
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === prefix || p.startsWith(prefix + path.sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Releases the namespaces: unmounts everything this machine mounted on the host under its dir. */
export async function removeMountView(machineDir: string): Promise<void> {
  for (const point of await mountsUnder(machineDir)) {
    const res = await tryRun(['umount', point]);
    if (res.exitCode !== 0) await run(['umount', '-l', point]);
  }
}
