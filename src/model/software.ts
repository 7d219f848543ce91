// What must be installed for a config on a distribution: pure data, used by install and by converge
// (which installs what a later config needs, e.g. ZFS tools, and follows lxd-channel).
import type { CharmConfig, InstallSource } from './config';

/** Where LXD comes from, the one vocabulary for it: the distro's deb or the snap. */
export type LxdPackaging = 'distro' | 'snap';

/** Always needed, from the distro archive. */
export const BASE_PACKAGES = ['lvm2', 'thin-provisioning-tools', 'btrfs-progs', 'nftables', 'dnsmasq-base', 'uidmap'] as const;
export const DEB_LXD_PACKAGES = ['lxd', 'lxd-client'] as const;

/** Debian ships a native LXD; elsewhere (Ubuntu) the deb only wraps the snap. */
export const chooseSource = (source: InstallSource, osId: string): LxdPackaging => (source === 'auto' ? (osId === 'debian' ? 'distro' : 'snap') : source);

/**
 * The debs this config needs: criu for live migration (use-criu) where LXD is the deb (the snap brings
 * its own, enabled by its criu.enable option), ZFS tools for a zfs pool.
 */
export function packagesFor(config: CharmConfig, source: LxdPackaging): string[] {
  const wanted: string[] = source === 'distro' ? [...DEB_LXD_PACKAGES, ...BASE_PACKAGES] : [...BASE_PACKAGES];
  if (config.install.criu && source === 'distro') wanted.push('criu');
  if (config.storage.type === 'zfs') wanted.push('zfsutils-linux');
  return wanted;
}

/** A snap channel as `snap list` tracks it: "5.21" → "5.21/stable", "stable" → "latest/stable". */
export function normalChannel(channel: string): string {
  const RISKS = ['stable', 'candidate', 'beta', 'edge'];
  const [first = '', ...rest] = channel.trim().split('/');
  if (rest.length === 0) return RISKS.includes(first) ? `latest/${first}` : `${first}/stable`;
  return [first, ...rest].join('/');
}

/**
 * Whether moving from `current` to `wanted` goes to an older LXD track. LXD upgrades its database on
 * start and cannot go back, so the charm refuses that instead of breaking the daemon. "latest" is
 * newer than any numbered track; two unnumbered tracks (or equal ones) are not a downgrade.
 */
export function isDowngrade(current: string, wanted: string): boolean {
  const track = (channel: string): number[] | 'latest' | null => {
    const name = normalChannel(channel).split('/')[0] ?? '';
    if (name === 'latest') return 'latest';
    return /^\d+(\.\d+)*$/.test(name) ? name.split('.').map(Number) : null;
  };
  const from = track(current);
  const to = track(wanted);
  if (from === null || to === null) return false;
  if (to === 'latest') return false;
  if (from === 'latest') return true;
  for (let i = 0; i < Math.max(from.length, to.length); i++) {
    const a = from[i] ?? 0;
    const b = to[i] ?? 0;
    if (a !== b) return b < a;
  }
  return false;
}

export interface DesiredSoftware {
  readonly source: LxdPackaging;
  readonly packages: readonly string[];
  /** normalised; used only when source is snap */
  readonly snapChannel: string;
  /** the snap's criu.enable=true (use-criu on a snap host) */
  readonly snapCriu: boolean;
}

export const desiredSoftware = (config: CharmConfig, source: LxdPackaging): DesiredSoftware => {
  return { source, packages: packagesFor(config, source), snapChannel: normalChannel(config.install.snapChannel), snapCriu: source === 'snap' && config.install.criu };
};
