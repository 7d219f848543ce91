// How the init system runs LXD, per packaging: the units and commands that stop, start and check it.
// Debian's deb: lxd.socket (socket activation: left active, any client would start LXD again),
// lxd.service (the daemon; KillMode=process, so stopping it alone leaves instances running unmanaged)
// and lxd-containers.service (its stop runs `lxd shutdown`: instances stopped cleanly, the daemon exits).
// The snap: snapd's own `snap stop|start lxd` over snap.lxd.daemon and its socket.

import type { LxdPackaging } from '../model/software';

export type { LxdPackaging };

export interface LxdServiceCommands {
  /** stops instances cleanly, then the daemon and its socket */
  readonly stop: readonly string[];
  /** starts the socket and the daemon (which starts the instances that were running when it stopped) */
  readonly start: readonly string[];
  /** exits 0 when at least one of the units is active (systemctl is-active's rule) */
  readonly isActive: readonly string[];
  /** re-reads the packaging's settings: the snap's reload restarts the daemon, instances keep running */
  readonly reload: readonly string[];
  /** LXD_DIR of the daemon (for `lxd waitready`) */
  readonly lxdDir: string;
}

export const DEB_LXD_UNITS = ['lxd-containers.service', 'lxd.socket', 'lxd.service'] as const;
export const SNAP_LXD_UNITS = ['snap.lxd.daemon.service', 'snap.lxd.daemon.unix.socket'] as const;

export function lxdServiceCommands(packaging: LxdPackaging): LxdServiceCommands {
  if (packaging === 'snap') {
    return {
      stop: ['snap', 'stop', 'lxd'],
      start: ['snap', 'start', 'lxd'],
      isActive: ['systemctl', 'is-active', '--quiet', ...SNAP_LXD_UNITS],
      reload: ['systemctl', 'reload', 'snap.lxd.daemon'],
      lxdDir: '/var/snap/lxd/common/lxd',
    };
  }
  // systemctl orders one transaction by the units' After=: lxd-containers stops first, starts last
  return {
    stop: ['systemctl', 'stop', ...DEB_LXD_UNITS],
    start: ['systemctl', 'start', ...DEB_LXD_UNITS],
    isActive: ['systemctl', 'is-active', '--quiet', 'lxd.service', 'lxd.socket'],
    reload: ['systemctl', 'restart', 'lxd.service'],
    lxdDir: '/var/lib/lxd',
  };
}
