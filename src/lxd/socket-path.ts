// Where LXD's unix socket is: apart from the client so that the hook entry point can find it without
// loading node:http.
import { existsSync, realpathSync } from 'node:fs';
import type { LxdPackaging } from '../model/software';

export const DEB_SOCKET = '/var/lib/lxd/unix.socket';
export const SNAP_SOCKET = '/var/snap/lxd/common/lxd/unix.socket';

/** Which lxc the unit's users run, from the socket LXD answers on (findSocket): the snap keeps its client config apart. */
export const clientPackaging = (socketPath: string): LxdPackaging => (socketPath === SNAP_SOCKET ? 'snap' : 'distro');

const realpathOrSelf = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * The socket the `lxc` client would use: LXD_SOCKET, else $LXD_DIR/unix.socket, else the deb or snap
 * path that exists. On a snap host where the charm linked /var/lib/lxd to the snap's data directory (for
 * nova-lxd), the deb path is the snap's socket: that is still the snap.
 */
export function findSocket(
  env: Readonly<Record<string, string | undefined>>,
  exists: (p: string) => boolean = existsSync,
  realpath: (p: string) => string = realpathOrSelf,
): string {
  if (env.LXD_SOCKET) return env.LXD_SOCKET;
  if (env.LXD_DIR) return `${env.LXD_DIR}/unix.socket`;
  if (exists(SNAP_SOCKET) && (!exists(DEB_SOCKET) || realpath(DEB_SOCKET) === realpath(SNAP_SOCKET))) return SNAP_SOCKET;
  return DEB_SOCKET;
}
