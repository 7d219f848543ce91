// The systemd unit that re-attaches the charm's loop files at boot, before LXD starts: loop devices do
// not survive a reboot, and an LXD that starts without them finds its pool's disks gone. Pure text.
import type { DeviceSpec } from './config';

export const LOOP_BOOT_UNIT = 'lxd-charm-loops.service';
/** where systemd looks for units an administrator (or the charm) installed */
export const BOOT_UNIT_DIR = '/etc/systemd/system';
/** the target the unit is enabled for (its [Install] WantedBy) */
export const BOOT_UNIT_TARGET = 'multi-user.target';

/** LXD's daemon units on the deb and on the snap (systemd ignores an ordering on a unit it does not have) */
const LXD_DAEMON_UNITS = ['lxd.socket', 'lxd.service', 'lxd-containers.service', 'snap.lxd.daemon.unix.socket', 'snap.lxd.daemon.service'];
/** characters config.ts allows in a device path: nothing a shell or systemd would read as syntax ('%', '$', quotes, spaces) */
const SAFE_PATH = /^\/[\w./+@:-]+$/;
/** LVM's own rule for volume group names */
const SAFE_VG = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/;

/**
 * The unit for these loop files (null: none configured, so no unit). Each file is attached unless a
 * loop device already holds it (losetup -j matches by inode), then an lvm pool's volume group is
 * activated; Before= LXD's units so the daemon finds its pool's devices. A missing file fails the
 * unit (LXD still starts: Before= without Requires=), and the charm's next hook says which file.
 */
export function loopBootUnit(devices: readonly DeviceSpec[], volumeGroup: string | null): string | null {
  const files = devices.flatMap((d) => (d.kind === 'loop' && SAFE_PATH.test(d.path) ? [d.path] : []));
  if (files.length === 0) return null;
  const dirs = [...new Set(files.map((f) => f.slice(0, f.lastIndexOf('/')) || '/'))];
  const lines = [
    '# Written by the lxd charm: re-attaches the loop files of its storage pool at boot, before LXD.',
    '# The charm rewrites it when block-devices changes and removes it when no loop file is configured.',
    '[Unit]',
    "Description=Loop files of the lxd charm's storage pool",
    `Before=${LXD_DAEMON_UNITS.join(' ')}`,
    `RequiresMountsFor=${dirs.join(' ')}`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    ...files.map((f) => `ExecStart=/bin/sh -c 'losetup -j ${f} | grep -q . || losetup --find ${f}'`),
    ...(volumeGroup !== null && SAFE_VG.test(volumeGroup) ? [`ExecStart=/bin/sh -c 'vgchange -ay ${volumeGroup}'`] : []),
    '',
    '[Install]',
    `WantedBy=${BOOT_UNIT_TARGET}`,
    '',
  ];
  return lines.join('\n');
}
