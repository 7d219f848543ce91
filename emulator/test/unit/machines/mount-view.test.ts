import { mountViewPaths, PRIVATE_DIRS, setupScript, shellQuote } from '../../../src/machines/mount-view';
import { devicesFile, LVM_LOCAL_CONF } from '../../../src/machines/lvm-isolation';
import { busyboxImageMetadata } from '../../../src/machines/busybox-image';

const paths = mountViewPaths('/srv/model/machines/0');

test('every private guest directory maps to its own host directory under the machine', () => {
  expect(Object.keys(paths.mounts).sort()).toEqual([...PRIVATE_DIRS].sort());
  expect(paths.mounts['/var/lib/lxd']).toBe('/srv/model/machines/0/fs/var-lib-lxd');
  expect(new Set(Object.values(paths.mounts)).size).toBe(PRIVATE_DIRS.length);
  expect(paths.mntNs).toBe('/srv/model/machines/0/ns/mnt');
});

test('the setup script overlays /etc first, binds each private dir, keeps cgroups and sets the hostname', () => {
  const lines = setupScript(paths, 'juju-abc123-0').trim().split('\n');
  expect(lines[0]).toBe('set -e');
  expect(lines[1]).toBe(
    "mount -t overlay overlay -o 'lowerdir=/etc,upperdir=/srv/model/machines/0/etc/upper,workdir=/srv/model/machines/0/etc/work' /etc",
  );
  expect(lines).toContain("mount --bind '/srv/model/machines/0/fs/home' '/home'");
  expect(lines).toContain('mount -t sysfs sysfs /sys');
  expect(lines.indexOf("mount --move '/srv/model/machines/0/cgroup-stash' /sys/fs/cgroup")).toBeGreaterThan(
    lines.indexOf('mount -t sysfs sysfs /sys'),
  );
  // kernel files a charm may chmod: the machine's own stand-ins, where the host kernel has them
  expect(lines).toContain("if [ -e '/sys/kernel/slab' ]; then mount --bind '/srv/model/machines/0/kernel/slab' '/sys/kernel/slab'; fi");
  expect(lines).toContain("if [ -e '/proc/sched_debug' ]; then mount --bind '/srv/model/machines/0/kernel/sched_debug' '/proc/sched_debug'; fi");
  expect(lines.findIndex((l) => l.includes('/sys/kernel/slab'))).toBeGreaterThan(lines.indexOf('mount -t sysfs sysfs /sys'));
  // and spare, fully visible sysfs and proc instances, or unprivileged containers could not mount theirs
  expect(lines).toContain("mount -t sysfs jemu-visible-sysfs '/srv/model/machines/0/visible/sys'");
  expect(lines).toContain("mount -t proc jemu-visible-proc '/srv/model/machines/0/visible/proc'");
  expect(lines.at(-1)).toBe("hostname 'juju-abc123-0'");
  // /tmp and /run stay shared with the host (the agent's socket lives there)
  expect(lines.some((l) => / \/tmp$| \/run$/.test(l))).toBe(false);
});

test('shell quoting survives quotes and spaces', () => {
  expect(shellQuote("it's a dir")).toBe("'it'\\''s a dir'");
});

test('the LVM devices file lists exactly the machine’s loop devices', () => {
  const file = devicesFile([{ file: '/m/0/disks/disk0.img', device: '/dev/loop7', sizeBytes: 1 }]);
  expect(file.split('\n').filter((l) => l.startsWith('IDTYPE='))).toEqual([
    'IDTYPE=loop_file IDNAME=/m/0/disks/disk0.img DEVNAME=/dev/loop7 PVID=.',
  ]);
  expect(devicesFile([]).split('\n').filter((l) => l.startsWith('IDTYPE='))).toEqual([]);
  expect(devicesFile([])).toContain('VERSION=');
  expect(() => devicesFile([{ file: '/a b/disk.img', device: '/dev/loop1', sizeBytes: 1 }])).toThrow(/spaces/);
  expect(LVM_LOCAL_CONF).toMatch(/use_devicesfile = 1/);
  expect(LVM_LOCAL_CONF).toMatch(/udev_sync = 0/);
});

test('busybox image metadata carries the creation time in seconds', () => {
  expect(busyboxImageMetadata(new Date(1_700_000_000_500))).toContain('creation_date: 1700000000\n');
  expect(busyboxImageMetadata(new Date(0))).toMatch(/^architecture: x86_64\n/);
});
