// Each machine's LVM sees only its own loop devices: a devices file in the machine's /etc overlay,
// `use_devicesfile = 1`, and no udev (there is none here).

import type { LoopDeviceRecord } from '../model/types';

export const LVM_LOCAL_CONF = `# written by juju-emulator: this machine's LVM sees only the devices in devices/system.devices
devices {
\tuse_devicesfile = 1
\tdevicesfile = "system.devices"
}
activation {
\tudev_sync = 0
\tudev_rules = 0
}
`;

/** The machine's /etc/lvm/devices/system.devices: its loop devices, nothing else (empty = sees nothing). */
export function devicesFile(loops: readonly LoopDeviceRecord[]): string {
  const lines = ['# LVM uses devices listed in this file.', '# Written by juju-emulator for this machine.', 'VERSION=1.1.1'];
  for (const loop of loops) {
    if (/\s/.test(loop.file + loop.device)) throw new Error(`loop file path must not contain spaces: ${loop.file}`);
    lines.push(`IDTYPE=loop_file IDNAME=${loop.file} DEVNAME=${loop.device} PVID=.`);
  }
  return lines.join('\n') + '\n';
}

/** The devices file with one loop device added (`add`) or one removed: entries LVM itself added (pvcreate) stay. */
export function editDevicesFile(current: string, change: { add: LoopDeviceRecord } | { remove: string }): string {
  const lines = current.split('\n').filter((l) => l !== '');
  if ('add' in change) {
    if (/\s/.test(change.add.file + change.add.device)) throw new Error(`loop file path must not contain spaces: ${change.add.file}`);
    return [...lines, `IDTYPE=loop_file IDNAME=${change.add.file} DEVNAME=${change.add.device} PVID=.`].join('\n') + '\n';
  }
  return lines.filter((l) => !l.split(/\s+/).includes(`DEVNAME=${change.remove}`)).join('\n') + '\n';
}
