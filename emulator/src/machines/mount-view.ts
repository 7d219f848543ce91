// Each machine's private mount view: a persistent mount namespace (and UTS namespace for its
// hostname) kept alive by bind-mounting the namespace files under `<machineDir>/ns`, which is itself a
// private mount so the bind does not propagate into the namespace it pins.

import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, tryRun } from './command';

/** guest directories that belong to the machine: bind-mounted from `<machineDir>/fs/<slug>` */
export const PRIVATE_DIRS = [
  '/var/lib/lxd',
  '/var/log/lxd',
  '/var/cache/lxd',
  '/var/lib/juju',
  '/var/log/juju',
  '/root',
  '/home',
] as const;

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
}

export function mountViewPaths(machineDir: string): MountViewPaths {
  const mounts: Record<string, string> = {};
  for (const guest of PRIVATE_DIRS) mounts[guest] = path.join(machineDir, 'fs', guest.slice(1).replace(/\//g, '-'));
  const nsDir = path.join(machineDir, 'ns');
  return {
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
