// What namespace machines need from the host: root, namespaces, overlayfs and a handful of Debian
// packages (installed with apt-get when missing).

import { existsSync, readFileSync } from 'node:fs';
import { run, tryRun } from './command';

/** Debian package → a program it ships that we use (looked up in the sbin and bin directories) */
export const REQUIRED_PACKAGES: Readonly<Record<string, string>> = {
  'util-linux': 'nsenter',
  mount: 'mount',
  iproute2: 'ip',
  lxd: 'lxd',
  'lxd-client': 'lxc',
  lvm2: 'lvm',
  'btrfs-progs': 'mkfs.btrfs',
  'dnsmasq-base': 'dnsmasq',
  uidmap: 'newuidmap',
  'busybox-static': 'busybox',
  passwd: 'useradd',
};

const PROGRAM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const hasProgram = (name: string) => PROGRAM_DIRS.some((dir) => existsSync(`${dir}/${name}`));

let checked: Promise<void> | null = null;

// Checks once per process; throws an Error that says what is wrong and how to fix it.
export function ensureNamespacePrerequisites(): Promise<void> {
  checked ??= check().catch((err: unknown) => {
    checked = null;
    throw err;
  });
  return checked;
}

async function check(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('namespace machines need Linux');
  if (process.getuid?.() !== 0) {
    throw new Error('namespace machines need root (network namespaces, mounts, loop devices): run as root');
  }
  await installMissingPackages();
  const probe = await tryRun(['unshare', '--mount', '--uts', '--net', '--propagation', 'private', 'true']);
  if (probe.exitCode !== 0) {
    throw new Error(`this host does not allow new namespaces (unshare failed: ${probe.stderr.trim()})`);
  }
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) {
    const loaded = await tryRun(['modprobe', 'overlay']);
    if (loaded.exitCode !== 0) throw new Error('the kernel has no overlayfs (needed for each machine\'s /etc)');
  }
  if (!existsSync('/dev/loop-control')) throw new Error('no /dev/loop-control: loop devices are not available');
}

async function installMissingPackages(): Promise<void> {
  const missing: string[] = [];
  for (const [pkg, program] of Object.entries(REQUIRED_PACKAGES)) {
    const status = await tryRun(['dpkg-query', '-W', '-f=${Status}', pkg]);
    if (!status.stdout.includes('install ok installed') || !hasProgram(program)) missing.push(pkg);
  }
  if (missing.length === 0) return;
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive', LANG: 'C.UTF-8' };
  try {
    await run(['apt-get', '-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 900_000 });
  } catch (err) {
    throw new Error(
      `missing Debian packages ${missing.join(' ')} and apt-get could not install them; ` +
        `install them by hand (apt-get install ${missing.join(' ')}): ${(err as Error).message}`,
    );
  }
}
