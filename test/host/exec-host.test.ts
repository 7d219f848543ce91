// ExecHost's file-based reads (the hot path spawns nothing) against a fake root, and the LVM JSON parser
// against recorded `pvs --reportformat json` output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecHost, parseLvmReport } from '../../src/host/exec-host';
import { thinMetadataGrowth } from '../../src/host/host';

let root = '';
let host: ExecHost;
const put = (path: string, text: string): void => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hostcfg-root-'));
  for (const d of ['etc', 'sys', 'proc', 'run']) mkdirSync(join(root, d));
  host = new ExecHost({ etc: join(root, 'etc'), sys: join(root, 'sys'), proc: join(root, 'proc'), run: join(root, 'run') });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('os-release: id and version', async () => {
  put('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
  expect(await host.osRelease()).toEqual({ id: 'debian', versionId: '12' });
});

test('users, groups and subordinate ids come from the files', async () => {
  put('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nnova:x:64060:64060::/var/lib/nova:/bin/sh\n');
  put('etc/group', 'root:x:0:\nlxd:x:105:nova,ubuntu\nempty:x:106:\n');
  put('etc/subuid', 'root:100000:65536\nnova:165536:65536\nroot:1000000:1000000000\n');
  put('etc/subgid', 'root:100000:65536\n');
  expect(await host.userExists('nova')).toBe(true);
  expect(await host.userExists('ghost')).toBe(false);
  expect(await host.groupMembers('lxd')).toEqual(['nova', 'ubuntu']);
  expect(await host.groupMembers('empty')).toEqual([]);
  expect(await host.groupMembers('missing')).toBeNull();
  expect(await host.subIds('root')).toEqual({ uid: [{ start: 100000, count: 65536 }, { start: 1000000, count: 1000000000 }], gid: [{ start: 100000, count: 65536 }] });
});

test('container detection: marker files or container= in pid 1 environment', async () => {
  put('proc/1/environ', 'PATH=/bin\0HOME=/\0');
  expect(await host.isContainer()).toBe(false);
  put('proc/1/environ', 'PATH=/bin\0container=lxc\0');
  expect(await host.isContainer()).toBe(true);
  put('proc/1/environ', '');
  put('run/container_type', 'lxc\n');
  expect(await host.isContainer()).toBe(true);
});

test('a loop device whose backing path names no file in this mount view is not ours (loop devices are global)', async () => {
  put('sys/block/loop0/loop/backing_file', '/srv/other.img\n');
  put('sys/block/loop3/loop/backing_file', '/srv/a.img\n');
  mkdirSync(join(root, 'sys/block/sda'), { recursive: true });
  // /srv/a.img does not exist here: another machine's file of the same name, so no match and no losetup call.
  expect(await host.loopDeviceFor('/srv/a.img')).toBeNull();
  expect(await host.loopDeviceFor('/srv/none.img')).toBeNull();
});

test('a device found before is trusted from /sys alone while it still backs the path; otherwise it is looked up again', async () => {
  put('sys/block/loop3/loop/backing_file', '/srv/a.img\n');
  put('sys/block/loop4/loop/backing_file', '/srv/b.img\n');
  // no losetup here (it would fail on this fake root): the /sys read answers
  expect(await host.loopDeviceFor('/srv/a.img', '/dev/loop3')).toBe('/dev/loop3');
  // the remembered device now backs another file: full lookup, which finds no file of that name here
  expect(await host.loopDeviceFor('/srv/a.img', '/dev/loop4')).toBeNull();
  expect(await host.loopDeviceFor('/srv/a.img', '/dev/../etc/passwd')).toBeNull();
});

test('kernel knobs: loaded modules, ext4 userns_mounts (absent → null), mounts', async () => {
  put('proc/modules', 'netlink_diag 16384 0 - Live 0x0\nloop 40960 4 - Live 0x0\n');
  expect(await host.loadedModules(['netlink_diag', 'zfs'])).toEqual(new Set(['netlink_diag']));
  expect(await host.ext4UsernsMounts()).toBeNull();
  put('sys/module/ext4/parameters/userns_mounts', 'Y\n');
  expect(await host.ext4UsernsMounts()).toBe(true);
  put('proc/self/mounts', '/dev/vdb /mnt ext4 rw 0 0\n');
  expect(await host.isMounted('/mnt')).toBe(true);
  expect(await host.isMounted('/srv')).toBe(false);
});

test('pvs JSON report rows, and nothing from garbage', () => {
  const recorded = '  {\n      "report": [\n          {\n              "pv": [\n                  {"pv_name":"/dev/loop0", "vg_name":"lxd_vg"},\n                  {"pv_name":"/dev/loop1", "vg_name":""}\n              ]\n          }\n      ]\n      ,\n      "log": [\n      ]\n  }\n';
  expect(parseLvmReport(recorded, 'pv')).toEqual([
    { pv_name: '/dev/loop0', vg_name: 'lxd_vg' },
    { pv_name: '/dev/loop1', vg_name: '' },
  ]);
  expect(parseLvmReport('WARNING: not json', 'pv')).toEqual([]);
});

describe('thin pool metadata before the data grows (64 bytes a chunk, doubled, LVM bounds)', () => {
  const MiB = 1024 ** 2;
  const GiB = 1024 ** 3;
  test.each([
    ['ample metadata: nothing', { dataBytes: 10 * GiB, metadataBytes: 64 * MiB, chunkBytes: 64 * 1024 }, 10 * GiB, 0],
    ['10 GiB + 30 GiB of 64 KiB chunks needs 80 MiB: 76 more', { dataBytes: 10 * GiB, metadataBytes: 4 * MiB, chunkBytes: 64 * 1024 }, 30 * GiB, 76 * MiB],
    ['no free space: nothing', { dataBytes: 10 * GiB, metadataBytes: 4 * MiB, chunkBytes: 64 * 1024 }, 0, 0],
    ['never past LVM’s maximum', { dataBytes: 100 * 1024 * GiB, metadataBytes: 15 * GiB, chunkBytes: 64 * 1024 }, 1024 * 1024 * GiB, Math.ceil((15.8 * 1024 * MiB - 15 * GiB) / MiB) * MiB],
  ])('%s', (_label, pool, free, grow) => {
    expect(thinMetadataGrowth(pool, free)).toBe(grow);
  });
});

describe('snapChannel, against a fake snap on PATH', () => {
  // spawning processes is slow on a busy machine
  jest.setTimeout(30_000);
  const realPath = process.env.PATH;
  let bin = '';
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'fake-snap-'));
    // snap translates its messages: the charm must ask for LC_ALL=C, or it could not tell "not installed"
    writeFileSync(
      join(bin, 'snap'),
      `#!/bin/sh
[ "$LC_ALL" = C ] || { echo 'erreur : aucun snap correspondant installé' >&2; exit 1; }
case "$FAKE_SNAP" in
  installed) printf 'Name  Version         Rev    Tracking     Publisher    Notes\\nlxd   5.21.3-c5ae129  33110  5.21/stable  canonical**  -\\n' ;;
  local) printf 'Name  Version  Rev  Tracking  Publisher  Notes\\nlxd   git      x1   -         -          -\\n' ;;
  absent) echo 'error: no matching snaps installed' >&2; exit 1 ;;
  down) echo 'error: cannot communicate with server: Get "http://localhost/v2/snaps?snaps=lxd": dial unix /run/snapd.socket: connect: connection refused' >&2; exit 1 ;;
esac
`,
      { mode: 0o755 },
    );
    process.env.PATH = `${bin}:${realPath ?? ''}`;
  });
  afterEach(() => {
    process.env.PATH = realPath;
    delete process.env.FAKE_SNAP;
    rmSync(bin, { recursive: true, force: true });
  });

  test('an installed snap: its Tracking column; a local snap tracks nothing', async () => {
    process.env.FAKE_SNAP = 'installed';
    expect(await host.snapChannel('lxd')).toBe('5.21/stable');
    process.env.FAKE_SNAP = 'local';
    expect(await host.snapChannel('lxd')).toBe('');
  });

  test('not installed (snapd says so), or no snap command at all: null', async () => {
    process.env.FAKE_SNAP = 'absent';
    expect(await host.snapChannel('lxd')).toBeNull();
    process.env.PATH = bin; // …/snap removed below: nothing named snap on PATH
    rmSync(join(bin, 'snap'));
    expect(await host.snapChannel('lxd')).toBeNull();
  });

  test('snapd not answering is a SnapdError with its words, not "no snap"', async () => {
    process.env.FAKE_SNAP = 'down';
    await expect(host.snapChannel('lxd')).rejects.toMatchObject({ name: 'SnapdError', exitCode: 1, message: expect.stringContaining('cannot communicate with server') });
  });
});
