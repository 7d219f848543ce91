// What a snap-shaped LXD host needs so that nova-compute and nova-lxd work there, as pure rules:
// - snap-confine refuses the lxd snap's `lxc` to a user whose home is outside /home unless snapd's
//   `homedirs` system option (snapd 2.59+) covers it (nova's home is /var/lib/nova);
// - nova-lxd's `[lxd] root_dir` defaults to /var/lib/lxd (statvfs for resources, the socket under it),
//   where the snap has nothing: a symlink to the snap's data directory serves it;
// - live migration on the snap needs `snap set lxd criu.enable=true` and a daemon reload.
import type { PathKind } from '../host/host';

export const SNAP_LXD_DIR = '/var/snap/lxd/common/lxd';
export const VAR_LIB_LXD = '/var/lib/lxd';
export const HOMEDIRS_SINCE = '2.59';

/** snapd's reserved top-level directories for homedirs (configcore/homedirs.go invalidPrefixes) */
const RESERVED = ['/bin/', '/boot/', '/dev/', '/etc/', '/lib/', '/proc/', '/root/', '/sbin/', '/sys/', '/tmp/'];

export const ensuredHomedir = (dir: string): string => `homedirs:${dir}`;
export const ENSURED_CRIU = 'criu.enable';
export const ENSURED_VAR_LIB_LXD = 'var-lib-lxd';

/** "2.58.3" >= "2.59"? Number by number. */
export function versionAtLeast(version: string, wanted: string): boolean {
  const a = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = wanted.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

const slashed = (dir: string): string => `${dir.replace(/\/+$/, '')}/`;

/** The directory homedirs must hold for this home (its parent), or null when the snap needs none. */
export function homedirFor(home: string): string | null {
  const h = slashed(home);
  if (h.startsWith('/home/') || h === '/root/') return null;
  const parent = h.slice(0, -1).replace(/\/[^/]+$/, '');
  return parent === '' ? '/' : parent;
}

/** Whether snapd would refuse `dir` as a homedirs entry: the reason, or null. */
export function homedirProblem(dir: string): string | null {
  if (!dir.startsWith('/')) return `${dir} is not absolute`;
  if (/[*?{}[\]^,]/.test(dir)) return `${dir} holds characters snapd refuses (AppArmor patterns)`;
  const reserved = RESERVED.find((p) => slashed(dir).startsWith(p));
  return reserved ? `${dir} is under ${reserved}, which snapd reserves` : null;
}

/** homedirs' value lists `dir` or a directory above it. */
export function homedirsCover(value: string, dir: string): boolean {
  return value
    .split(',')
    .filter((d) => d.trim() !== '')
    .some((d) => slashed(dir).startsWith(slashed(d.trim())));
}

/** homedirs with `dirs` added; what was there stays (nothing set by hand is undone). */
export function homedirsWith(value: string, dirs: readonly string[]): string {
  const have = value.split(',').map((d) => d.trim()).filter((d) => d !== '');
  return [...have, ...dirs.filter((d) => !homedirsCover(have.join(','), d))].join(',');
}

/** What to do at /var/lib/lxd on a snap host: link it, nothing (done), or why it cannot be touched. */
export function varLibLxdAction(found: PathKind): { readonly action: 'link'; readonly replaceEmptyDir: boolean } | { readonly action: 'none' } | { readonly action: 'blocked'; readonly reason: string } {
  switch (found.kind) {
    case 'absent':
      return { action: 'link', replaceEmptyDir: false };
    case 'symlink':
      return slashed(found.target) === slashed(SNAP_LXD_DIR)
        ? { action: 'none' }
        : { action: 'blocked', reason: `${VAR_LIB_LXD} is a symlink to ${found.target}, not to the snap's ${SNAP_LXD_DIR}: nova-lxd would read the wrong place (point it at ${SNAP_LXD_DIR} or remove it)` };
    case 'directory':
      return found.empty
        ? { action: 'link', replaceEmptyDir: true }
        : { action: 'blocked', reason: `${VAR_LIB_LXD} is a directory with content, so it is not replaced by a link to the snap's ${SNAP_LXD_DIR}, which nova-lxd needs there (move its content away)` };
    case 'other':
      return { action: 'blocked', reason: `${VAR_LIB_LXD} exists and is not a directory: nova-lxd needs a link to ${SNAP_LXD_DIR} there (remove it)` };
  }
}
