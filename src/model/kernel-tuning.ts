// Kernel tuning the charm owns, as in canonical/charm-lxd: the sysctl values of LXD's "production
// setup" documentation in one drop-in, and tighter modes on two kernel files that leak host details
// (the hardening also goes to a tmpfiles.d entry so it survives a reboot). Pure data: no I/O.

/** canonical/charm-lxd's drop-in name, so hosts moved between the charms keep one file */
export const SYSCTL_FILE = '/etc/sysctl.d/60-lxd.conf';
export const HARDENING_FILE = '/etc/tmpfiles.d/lxd.conf';

/** LXD's production-setup values (server_settings, LXD 5.21), in the documentation's order. */
export const PRODUCTION_SYSCTL: Readonly<Record<string, string>> = {
  'fs.aio-max-nr': '524288',
  'fs.inotify.max_queued_events': '1048576',
  'fs.inotify.max_user_instances': '1048576',
  'fs.inotify.max_user_watches': '1048576',
  'kernel.dmesg_restrict': '1',
  'kernel.keys.maxbytes': '2000000',
  'kernel.keys.maxkeys': '2000',
  'net.core.bpf_jit_limit': '1000000000',
  'net.ipv4.neigh.default.gc_thresh3': '8192',
  'net.ipv6.neigh.default.gc_thresh3': '8192',
  'vm.max_map_count': '262144',
};

/** What canonical/charm-lxd restricts: only root may read the scheduler's debug dump and the slab caches. */
export const HARDENED_MODES: Readonly<Record<string, number>> = {
  '/proc/sched_debug': 0o400,
  '/sys/kernel/slab': 0o700,
};

export interface DesiredSysctl {
  readonly enabled: boolean;
  readonly file: string;
  readonly content: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface DesiredHardening {
  readonly enabled: boolean;
  readonly file: string;
  readonly content: string;
  readonly modes: Readonly<Record<string, number>>;
}

const HEADER = '# Managed by the lxd charm (sysctl-tuning / kernel-hardening): edits are overwritten.\n';

export const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

export function desiredSysctl(enabled: boolean): DesiredSysctl {
  const lines = Object.entries(PRODUCTION_SYSCTL).map(([key, value]) => `${key} = ${value}\n`);
  return { enabled, file: SYSCTL_FILE, content: HEADER + lines.join(''), values: PRODUCTION_SYSCTL };
}

export function desiredHardening(enabled: boolean): DesiredHardening {
  // systemd-tmpfiles "z": adjust the mode of an existing path at boot, create nothing
  const lines = Object.entries(HARDENED_MODES).map(([path, mode]) => `z ${path} ${octal(mode)} - - -\n`);
  return { enabled, file: HARDENING_FILE, content: HEADER + lines.join(''), modes: HARDENED_MODES };
}

/** A short stable digest of what was applied (FNV-1a): charm state says "these values are in the kernel". */
export function appliedMarker(values: Readonly<Record<string, string>>): string {
  let hash = 0x811c9dc5;
  for (const ch of JSON.stringify(Object.entries(values))) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
