// converge through the charm's event table with FakeJuju (Juju's rules, commit on success), FakeLxd and
// FakeHost: state in → hook → state out; the same hook again writes nothing anywhere.
import { PRODUCTION_SYSCTL } from '../../src/model/kernel-tuning';
import type { DeviceContent } from '../../src/host/host';
import type { ConfigValue } from '../../src/juju/hook-tools';
import { aUnit, type JujuStateBuilder } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost, type FakeHostOptions } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd, type FakeLxdOptions } from '../fakes/fake-lxd';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface World {
  juju: FakeJuju;
  lxd: FakeLxd;
  host: FakeHost;
}

const world = (config: Record<string, ConfigValue> = {}, host: FakeHostOptions = {}, lxd: FakeLxdOptions = {}, unit: JujuStateBuilder = aUnit()): World => ({
  juju: new FakeJuju(unit.withConfig({ 'lvm-thinpool': false, ...config })),
  lxd: new FakeLxd(lxd),
  host: new FakeHost(host),
});

/** Runs one hook (config-changed unless named); Juju commits on exit 0. */
async function run(w: World, hook = 'config-changed'): Promise<void> {
  expect((await runHook(hook, w)).exitCode).toBe(0);
}

/** `juju config`: the committed state with new values, as the next hook sees it. */
function configure(w: World, values: Record<string, ConfigValue>): void {
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, config: { ...state.config, ...values } });
}

/** Runs the hook again and returns everything it wrote anywhere (FakeJuju lists statuses apart). */
async function rerun(w: World): Promise<string[]> {
  const before = { juju: w.juju.writes.length, statuses: w.juju.statuses.length, lxd: w.lxd.writes.length, host: w.host.actions.length };
  await run(w);
  return [
    ...w.juju.writes.slice(before.juju),
    ...w.juju.statuses.slice(before.statuses).map((s) => `status-set ${s.status}`),
    ...w.lxd.writes.slice(before.lxd),
    ...w.host.actions.slice(before.host),
  ];
}

/** config.yaml defaults as world() sets them, for setting an option back */
const defaults: Record<string, ConfigValue> = { source: 'auto', 'storage-type': 'lvm', 'lvm-thinpool': false, 'lvm-volume-group': 'lxd_vg', 'storage-pool': 'lxd', 'block-devices': '' };
const fs = (type: string): DeviceContent => ({ kind: 'filesystem', type });
const stateOf = (w: World): Record<string, string> => w.juju.state.charmState;
const lxdBag = (w: World): Record<string, string> | undefined => w.juju.state.relations.find((r) => r.endpoint === 'lxd')?.localUnit;
const withNova = (user = 'nova'): JujuStateBuilder => aUnit().withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user } } });

test('a fresh host becomes an LXD host: pool, bridge, profile, listener, trust password; active with a summary', async () => {
  const w = world({}, { modules: [], ext4Userns: false });
  await run(w);
  expect(w.lxd.pools.get('lxd')).toMatchObject({ driver: 'lvm', config: { 'lvm.vg_name': 'lxd_vg', 'lvm.use_thinpool': 'false' } });
  expect(w.lxd.nets.get('lxdbr0')?.config).toEqual({ 'bridge.mtu': '1500', 'ipv4.address': '10.100.0.1/24', 'ipv4.nat': 'true', 'ipv6.address': 'none' });
  expect(w.lxd.profiles.get('default')?.devices).toEqual({ root: { type: 'disk', path: '/', pool: 'lxd' }, eth0: { type: 'nic', name: 'eth0', network: 'lxdbr0' } });
  expect(w.lxd.serverConfig['core.https_address']).toBe('10.0.0.5:8443');
  const password = w.lxd.trustPassword ?? '?';
  expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  expect(w.juju.state.secrets).toEqual([expect.objectContaining({ owner: 'unit', label: 'lxd-trust-password', revisions: [{ password }] })]);
  expect(JSON.stringify(stateOf(w))).not.toContain(password);
  expect(w.juju.logs.join('\n')).not.toContain(password);
  expect(w.juju.writes.join('\n')).not.toContain(password);
  expect(w.host.actions).toEqual([
    'modprobe netlink_diag',
    'ext4 userns_mounts=true',
    'write /etc/sysctl.d/60-lxd.conf',
    ...Object.entries(PRODUCTION_SYSCTL).map(([key, value]) => `sysctl -w ${key}=${value}`),
    'write /etc/tmpfiles.d/lxd.conf',
    'chmod 400 /proc/sched_debug',
    'chmod 700 /sys/kernel/slab',
  ]);
  expect(w.juju.statuses.map((s) => s.status)).toEqual(['maintenance', 'active']);
  expect(w.juju.unitStatus.message).toBe('Unit is ready (lvm pool lxd, bridge lxdbr0 10.100.0.1/24, listening 10.0.0.5:8443, trust: password+token)');
  expect(w.juju.state.workloadVersion).toBe('5.0.2');
});

test('running the same hook again writes nothing: no LXD write, no host command, no status, no state', async () => {
  const w = world({ 'block-devices': '/srv/a.img|1G /srv/b.img|1G' });
  await run(w);
  const inspections = w.host.inspections;
  expect(await rerun(w)).toEqual([]);
  expect(w.host.inspections).toBe(inspections); // device facts come from charm state
  expect(await rerun(w)).toEqual([]);
});

test('invalid config blocks naming every bad option, and touches nothing', async () => {
  const w = world({ 'storage-type': 'ceph', 'bridge-mtu': 10, 'bridge-ipv4': '300.1.1.1/24' });
  await run(w);
  expect(w.juju.unitStatus).toEqual({
    status: 'blocked',
    message: 'invalid config: storage-type must be one of lvm, btrfs, zfs, dir; bridge-mtu must be >= 576; bridge-ipv4 "300.1.1.1/24" is not auto, none or a valid IPv4 address/prefix',
  });
  expect(w.lxd.writes).toEqual([]);
  expect(w.host.actions).toEqual([]);
});

describe('storage', () => {
  test('an LVM volume group spans two loop files; a third added later extends it', async () => {
    const w = world({ 'block-devices': '/srv/a.img|1G /srv/b.img|2G' });
    await run(w);
    expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/loop0', '/dev/loop1']);
    expect(w.lxd.pools.get('lxd')?.config.source).toBe('lxd_vg');
    expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd on 2 devices,/);
    configure(w, { 'block-devices': '/srv/a.img|1G /srv/b.img|2G /srv/c.img|1G' });
    await run(w);
    expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/loop0', '/dev/loop1', '/dev/loop2']);
    expect(w.lxd.writes.filter((x) => x.startsWith('POST /1.0/storage-pools'))).toHaveLength(1);
    expect(w.juju.unitStatus.message).toMatch(/on 3 devices/);
  });

  test('a device added to an lvm thin pool grows the thin pool too, and the status shows the size LXD reports', async () => {
    const w = world({ 'lvm-thinpool': true, 'block-devices': '/srv/a.img|1G' });
    await run(w);
    w.lxd.space.set('lxd', { totalBytes: 1019 * 1024 ** 2, usedBytes: 0 });
    await run(w, 'upgrade-charm');
    expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd 1019 MiB on 1 device,/);
    configure(w, { 'block-devices': '/srv/a.img|1G /srv/b.img|2G' });
    w.lxd.space.set('lxd', { totalBytes: 3 * 1024 ** 3 - 8 * 1024 ** 2, usedBytes: 0 }); // what LXD reads once the thin pool grew
    const written = await rerun(w);
    expect(written.filter((x) => x.startsWith('vgextend') || x.startsWith('lvextend'))).toEqual(['vgextend lxd_vg /dev/loop1', 'lvextend lxd_vg/LXDThinPool']);
    expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd 3\.0 GiB on 2 devices,/);
    expect(await rerun(w)).toEqual([]);
  });

  test('without a thin pool the volume group alone is the pool: no thin pool to grow', async () => {
    const w = world({ 'block-devices': '/srv/a.img|1G' });
    await run(w);
    configure(w, { 'block-devices': '/srv/a.img|1G /srv/b.img|1G' });
    await run(w);
    expect(w.host.actions.filter((a) => a.startsWith('vgextend') || a.startsWith('lvextend'))).toEqual(['vgextend lxd_vg /dev/loop1']);
  });

  test('after a reboot the loop files are re-attached, not wiped, and the pool is left alone', async () => {
    const w = world({ 'block-devices': '/srv/a.img|1G' });
    await run(w);
    w.host.reboot();
    const written = await rerun(w);
    expect(written.filter((x) => !x.startsWith('state-set')).sort()).toEqual(['losetup /srv/a.img', 'status-set active', 'status-set maintenance']);
    expect(w.host.actions.filter((a) => a.startsWith('wipe'))).toEqual([]);
  });

  test('loop files get the boot unit that re-attaches them before LXD; a dir host gets none', async () => {
    const w = world({ 'storage-type': 'btrfs', 'block-devices': '/srv/a.img|1G' });
    await run(w);
    expect(w.host.bootUnits.get('lxd-charm-loops.service')).toContain('losetup --find /srv/a.img');
    expect(w.host.enabledUnits).toEqual(new Set(['multi-user.target/lxd-charm-loops.service']));
    expect((await rerun(w)).filter((x) => x.includes('unit'))).toEqual([]);
    // a dir host never had one and gets none
    const dir = world({ 'storage-type': 'dir' });
    await run(dir);
    expect(dir.host.bootUnits.size).toBe(0);
  });

  test("a pool's loop file deleted under it blocks naming the file; no new file is made over the pool's data", async () => {
    const w = world({ 'storage-type': 'btrfs', 'block-devices': '/srv/a.img|1G' });
    await run(w);
    expect(w.juju.unitStatus.status).toBe('active');
    w.host.deleteLoopFile('/srv/a.img');
    const written = await rerun(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: expect.stringContaining('loop file /srv/a.img of storage pool lxd is gone (deleted?)') });
    expect(written.filter((x) => x.startsWith('losetup') || x.startsWith('wipe'))).toEqual([]);
    expect(w.host.files.has('/srv/a.img')).toBe(false);
    // again on the next hook, still nothing made
    await run(w, 'update-status');
    expect(w.juju.unitStatus.status).toBe('blocked');
    expect(w.host.files.has('/srv/a.img')).toBe(false);
  });

  test("upgrade-charm from the legacy lxd charm: its btrfs pool juju_lxd on its loop file is adopted as it is, its published trust password kept", async () => {
    const file = '/var/lib/lxd/legacy.img';
    const w = world({ 'storage-type': 'btrfs', 'storage-pool': 'juju_lxd', 'block-devices': `${file}|1G` }, { devices: { '/dev/loop7': fs('btrfs') } }, {}, aUnit().withPeerRelation());
    // the keys the legacy charm left in this unit's own lxd-migration bag, which Juju keeps across upgrade-charm
    const legacyKeys = { password: 'Legacy16CharsPw1', hostname: 'juju-legacy-0', address: '10.0.0.5' };
    w.juju = new FakeJuju({ ...w.juju.state, relations: w.juju.state.relations.map((r) => (r.peer ? { ...r, localUnit: { ...r.localUnit, ...legacyKeys } } : r)) });
    w.host.loops.set(file, '/dev/loop7');
    w.host.files.set(file, 1024 ** 3);
    await w.lxd.createStoragePool({ name: 'juju_lxd', driver: 'btrfs', config: { source: '/dev/loop7' }, description: '' });
    await w.lxd.patchServerConfig({ 'core.trust_password': 'Legacy16CharsPw1', 'core.https_address': '[::]' });
    const before = w.lxd.writes.length;
    await run(w, 'upgrade-charm');
    expect(w.juju.unitStatus).toMatchObject({ status: 'active', message: expect.stringContaining('btrfs pool juju_lxd') });
    expect(w.lxd.writes.slice(before).filter((x) => x.includes('storage-pools'))).toEqual([]);
    expect(w.host.actions.filter((a) => a.startsWith('wipe') || a.startsWith('losetup'))).toEqual([]);
    expect(JSON.parse(stateOf(w)['pool-devices'] ?? '[]')).toEqual([{ spec: `${file}|1G`, device: '/dev/loop7' }]);
    expect(w.lxd.profiles.get('default')?.devices.root).toEqual({ type: 'disk', path: '/', pool: 'juju_lxd' });
    // the password its peers joined with is still LXD's, now kept in the unit's secret
    expect(w.lxd.trustPassword).toBe('Legacy16CharsPw1');
    expect(w.juju.state.secrets.map((x) => x.revisions.at(-1)?.password)).toEqual(['Legacy16CharsPw1']);
    expect(w.host.bootUnits.get('lxd-charm-loops.service')).toContain(`losetup --find ${file}`);
    // and it stays so
    expect((await rerun(w)).filter((x) => !x.startsWith('status-set'))).toEqual([]);
  });

  test('a device with a filesystem is untouched with overwrite=false, wiped once with overwrite=true, never twice', async () => {
    const w = world({ 'block-devices': '/dev/vdb' }, { devices: { '/dev/vdb': fs('ext4') } });
    await run(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: '/dev/vdb holds an ext4 filesystem; set overwrite=true to wipe it' });
    expect(w.host.actions.filter((a) => a.includes('vdb'))).toEqual([]);
    expect(w.lxd.pools.size).toBe(0);

    configure(w, { overwrite: true });
    await run(w);
    expect(w.host.actions.filter((a) => a.includes('vdb'))).toEqual(['wipe /dev/vdb', 'vgcreate lxd_vg /dev/vdb']);
    expect(w.juju.unitStatus.status).toBe('active');

    // someone puts a filesystem back and a device is added: the charm refuses a second wipe
    w.host.vgs.delete('lxd_vg');
    w.host.devices.set('/dev/vdb', fs('xfs'));
    w.host.devices.set('/dev/vdc', { kind: 'empty' });
    configure(w, { 'block-devices': '/dev/vdb /dev/vdc' });
    await run(w);
    expect(w.juju.unitStatus.message).toBe('/dev/vdb holds a xfs filesystem although it was wiped once already; refusing to wipe it twice');
    expect(w.host.actions.filter((a) => a.startsWith('wipe'))).toEqual(['wipe /dev/vdb']);
  });

  test('a wipe is remembered even when LXD fails right after it (the hook blocks instead of failing)', async () => {
    const w = world({ 'block-devices': '/dev/vdb', overwrite: true }, { devices: { '/dev/vdb': fs('ext4') } });
    const realPool = w.lxd.storagePool.bind(w.lxd);
    let calls = 0;
    jest.spyOn(w.lxd, 'storagePool').mockImplementation(async (name) => {
      if (++calls > 1) throw new Error('LXD went away');
      return realPool(name);
    });
    await run(w);
    expect(w.host.actions.filter((a) => a.startsWith('wipe'))).toEqual(['wipe /dev/vdb']);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'cannot read the host back: LXD went away' });
    expect(JSON.parse(stateOf(w)['wiped-devices'] ?? '[]')).toEqual(['/dev/vdb']);
  });

  test('ephemeral-unmount frees the cloud disk before it is used', async () => {
    const w = world({ 'ephemeral-unmount': '/mnt', 'block-devices': '/dev/vdb' }, { mounts: ['/mnt'], devices: { '/dev/vdb': { kind: 'empty' } } });
    await run(w);
    expect(w.host.actions.slice(w.host.actions.indexOf('umount /mnt'))).toEqual(['umount /mnt', 'vgcreate lxd_vg /dev/vdb']);
    expect(await rerun(w)).toEqual([]);
  });

  test('a missing device blocks, naming it', async () => {
    const w = world({ 'block-devices': '/dev/nope' });
    await run(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'block device /dev/nope does not exist' });
  });

  // every option LXD or the charm cannot apply to an existing pool: blocked naming it and the way out, nothing changed
  test.each<[string, Record<string, ConfigValue>, Record<string, ConfigValue>, string]>([
    ['storage-type', {}, { 'storage-type': 'btrfs' }, 'storage-type is btrfs but storage pool lxd exists as lvm (used by 1 object(s)); LXD cannot convert a pool: set storage-type=lvm back'],
    ['source', {}, { source: 'snap' }, 'source is snap but LXD on this host is the distro package; the charm does not move LXD between packagings: set source=distro back (or auto)'],
    ['lvm-thinpool', {}, { 'lvm-thinpool': true }, 'lvm-thinpool is true but storage pool lxd has no thin pool; LXD cannot change that once the pool exists: set lvm-thinpool=false back'],
    ['lvm-volume-group', {}, { 'lvm-volume-group': 'other_vg' }, 'lvm-volume-group is other_vg but storage pool lxd is on volume group lxd_vg; LXD cannot move a pool: set lvm-volume-group=lxd_vg back'],
    [
      'storage-pool',
      {},
      { 'storage-pool': 'nova' },
      "storage-pool is nova but the charm's pool lxd still exists (used by 1 object(s)): set storage-pool=lxd back, or move what uses it and delete it by hand (lxc storage delete lxd)",
    ],
    [
      'block-devices (a device dropped from an lvm pool)',
      { 'block-devices': '/srv/a.img|1G /srv/b.img|1G' },
      { 'block-devices': '/srv/a.img|1G' },
      'block-devices no longer names /srv/b.img|1G, which is in volume group lxd_vg; the charm never shrinks a pool: add it back to block-devices (or move its extents off and vgreduce it by hand)',
    ],
    [
      'block-devices (a btrfs pool)',
      { 'storage-type': 'btrfs', 'block-devices': '/srv/a.img|1G' },
      { 'block-devices': '/srv/b.img|1G' },
      'block-devices changed but the btrfs pool lxd exists on "/srv/a.img|1G"; only an lvm pool can grow: set block-devices=/srv/a.img|1G back',
    ],
  ])('changing %s once the pool exists blocks naming it, and changes nothing', async (_option, initial, change, message) => {
    const w = world(initial);
    await run(w);
    expect(w.juju.unitStatus.status).toBe('active');
    const pools = JSON.stringify([...w.lxd.pools]);
    const profile = JSON.stringify(w.lxd.profiles.get('default'));
    configure(w, change);
    const written = await rerun(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message });
    expect(written.filter((x) => !x.startsWith('state-set') && !x.startsWith('status-set') && !x.startsWith('losetup'))).toEqual([]);
    expect(JSON.stringify([...w.lxd.pools])).toBe(pools);
    expect(JSON.stringify(w.lxd.profiles.get('default'))).toBe(profile);
    // setting it back is ready again
    configure(w, Object.fromEntries(Object.keys(change).map((k) => [k, initial[k] ?? defaults[k] ?? ''])));
    await run(w);
    expect(w.juju.unitStatus.status).toBe('active');
  });

  test('storage-pool can move once the old pool was deleted by hand', async () => {
    const w = world();
    await run(w);
    configure(w, { 'storage-pool': 'nova' });
    await run(w);
    expect(w.juju.unitStatus.status).toBe('blocked');
    w.lxd.profiles.set('default', { config: {}, devices: {} });
    w.lxd.pools.delete('lxd');
    await run(w);
    expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool nova,/);
    expect(w.lxd.profiles.get('default')?.devices.root).toEqual({ type: 'disk', path: '/', pool: 'nova' });
  });

  test('a kernel without thin-pool support blocks with the remedy', async () => {
    const w = world({ 'lvm-thinpool': true }, {}, { noThinPool: true });
    await run(w);
    expect(w.juju.unitStatus.status).toBe('blocked');
    expect(w.juju.unitStatus.message).toMatch(/^cannot create lvm storage pool lxd: .*thin pool.*\(this kernel cannot make LVM thin pools: set lvm-thinpool=false\)$/);
  });
});

describe('network, listener and trust', () => {
  test('a changed bridge setting changes the existing bridge in place, and auto is never re-sent', async () => {
    const w = world();
    await run(w);
    const subnet = w.lxd.nets.get('lxdbr0')?.config['ipv4.address'];
    await run(w);
    expect(w.lxd.nets.get('lxdbr0')?.config['ipv4.address']).toBe(subnet);
    configure(w, { 'bridge-ipv4': '10.77.0.1/24', 'bridge-mtu': 1400 });
    expect((await rerun(w)).filter((x) => x.startsWith('PATCH') || x.startsWith('POST'))).toEqual(['PATCH /1.0/networks/lxdbr0 bridge.mtu,ipv4.address']);
    expect(w.juju.unitStatus.message).toContain('bridge lxdbr0 10.77.0.1/24');
  });

  test('the listener follows the lxd-migration binding address', async () => {
    const w = world({}, {}, {}, aUnit().withAddress('10.0.0.9'));
    await run(w);
    expect(w.lxd.serverConfig['core.https_address']).toBe('10.0.0.9:8443');
  });

  test('a failed network-get leaves the listener as it is (never all addresses) and waits naming the binding', async () => {
    const w = world({}, {}, {}, aUnit().withAddress('10.0.0.9'));
    await run(w);
    expect(w.lxd.serverConfig['core.https_address']).toBe('10.0.0.9:8443');
    configure(w, { 'bridge-mtu': 1400 });
    w.juju.failTool('network-get', 1, 'cannot get network info: connection is shut down');
    const written = await rerun(w);
    expect(written.filter((x) => x.startsWith('PATCH /1.0 '))).toEqual([]);
    expect(written).toContain('PATCH /1.0/networks/lxdbr0 bridge.mtu'); // the rest of the host still converges
    expect(w.lxd.serverConfig['core.https_address']).toBe('10.0.0.9:8443');
    expect(w.juju.unitStatus).toEqual({
      status: 'waiting',
      message: "cannot learn the lxd-migration binding's address (network-get failed (exit 1): ERROR cannot get network info: connection is shut down): LXD's HTTPS listener is left as it is and peers are not wired",
    });
  });

  test('network-get answering with no address leaves the listener as it is (never all addresses) and waits saying so', async () => {
    const w = world({}, {}, {}, aUnit().withAddress('10.0.0.9'));
    await run(w);
    const state = w.juju.state;
    w.juju = new FakeJuju({ ...state, networks: { ...state.networks, 'lxd-migration': { bindAddresses: [], ingressAddresses: [], egressSubnets: [] } } });
    const written = await rerun(w);
    expect(written.filter((x) => x.startsWith('PATCH /1.0 '))).toEqual([]);
    expect(w.lxd.serverConfig['core.https_address']).toBe('10.0.0.9:8443');
    expect(w.juju.unitStatus).toEqual({ status: 'waiting', message: "network-get lxd-migration gave no address for the binding: LXD's HTTPS listener is left as it is and peers are not wired" });
  });

  test('on a fresh host a failed network-get opens no listener at all', async () => {
    const w = world();
    w.juju.failTool('network-get', 1, 'no network config found for binding "lxd-migration"');
    await run(w);
    expect(w.lxd.serverConfig['core.https_address']).toBeUndefined();
    expect(w.juju.unitStatus.status).toBe('waiting');
    expect(w.juju.unitStatus.message).toContain('network-get failed (exit 1)');
  });

  test('the generated trust password stays the same across hooks; a configured one replaces it once', async () => {
    const w = world();
    await run(w);
    const first = w.lxd.trustPassword;
    await run(w, 'upgrade-charm');
    expect(w.lxd.trustPassword).toBe(first);
    configure(w, { 'trust-password': 'operator-chosen-password' });
    await run(w);
    expect(w.lxd.trustPassword).toBe('operator-chosen-password');
    expect(await rerun(w)).toEqual([]);
  });

  test('a Juju without secrets (before 3.0.2) keeps the generated password in charm state and runs no secret tool', async () => {
    const w = world({}, {}, {}, aUnit().onJuju('2.9.46'));
    await run(w);
    const password = w.lxd.trustPassword ?? '?';
    expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(stateOf(w)['trust-password']).toBe(password);
    expect(w.juju.calls.filter((tool) => tool.startsWith('secret-'))).toEqual([]);
    expect(w.juju.unitStatus.status).toBe('active');
  });

  test('a failing secret tool fails the hook: the password in LXD stays, and charm state never holds one', async () => {
    const w = world();
    await run(w);
    const password = w.lxd.trustPassword;
    // charm state lost (the secret is still there), and Juju cannot answer about secrets right now
    w.juju = new FakeJuju({ ...w.juju.state, charmState: {} });
    w.juju.failTool('secret-info-get', 1, 'cannot get secret metadata: connection is shut down');
    const lxdWrites = w.lxd.writes.length;
    expect((await runHook('config-changed', w)).exitCode).toBe(1);
    expect(w.lxd.trustPassword).toBe(password);
    expect(w.lxd.writes.slice(lxdWrites)).toEqual([]);
    expect(w.juju.writes.filter((x) => x.includes('trust-password'))).toEqual([]);
    expect(w.juju.state.charmState['trust-password']).toBeUndefined();
    expect(w.juju.logs.join('\n')).toContain('secret-info-get failed (exit 1)');
  });

  test('secret-add failing on a fresh host sets no password anywhere', async () => {
    const w = world();
    w.juju.failTool('secret-add', 1, 'secret backend "vault" is not reachable');
    expect((await runHook('config-changed', w)).exitCode).toBe(1);
    expect(w.lxd.trustPassword ?? null).toBeNull();
    expect(w.juju.writes.filter((x) => x.includes('trust-password'))).toEqual([]);
    expect(w.juju.state.charmState).toEqual({});
  });

  test('LXD 6.1+ (no core.trust_password) reports token trust only', async () => {
    const w = world({}, {}, { extensions: ['certificate_token', 'explicit_trust_token'], version: '6.1' });
    await run(w);
    expect(w.lxd.trustPassword).toBeNull();
    expect(w.juju.unitStatus.message).toMatch(/trust: token\)$/);
  });

  test('LXD that never comes up blocks with the socket error', async () => {
    const w = world({}, {}, { down: true });
    await run(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'LXD is not running: LXD GET /1.0 failed (0): cannot reach LXD at /fake/unix.socket: connect ENOENT' });
  });
});

describe('snapd', () => {
  const ubuntu = { os: { id: 'ubuntu', versionId: '24.04' }, packages: ['lvm2', 'thin-provisioning-tools', 'btrfs-progs', 'nftables', 'dnsmasq-base', 'uidmap'] };
  const down = 'error: cannot communicate with server: dial unix /run/snapd.socket: connect: connection refused';

  test('snapd not answering blocks naming it, and nothing is installed over a snap that may be there', async () => {
    const w = world({}, { ...ubuntu, snapdDown: down });
    await run(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: `snapd cannot tell whether the lxd snap is installed: snap list failed (exit 1): ${down}` });
    expect(w.host.actions).toEqual([]);
    expect(w.lxd.writes).toEqual([]);
  });

  test('install blocks the same way instead of installing the snap', async () => {
    const w = world({}, { ...ubuntu, snapdDown: down });
    await run(w, 'install');
    expect(w.juju.unitStatus.status).toBe('blocked');
    expect(w.juju.unitStatus.message).toContain('cannot communicate with server');
    expect(w.host.actions).toEqual([]);
  });
});

describe('the lxd relation with nova-compute', () => {
  test("nova's user joins group lxd; pool and a nonce are published once; a rerun publishes nothing", async () => {
    const w = world({}, { groups: {} }, {}, withNova());
    await run(w, 'lxd-relation-changed');
    expect(w.host.groups.get('lxd')).toEqual(['nova']);
    const bag = lxdBag(w);
    expect(bag).toMatchObject({ pool: 'lxd', nonce: expect.stringMatching(UUID) });
    expect(await rerun(w)).toEqual([]);
    expect(lxdBag(w)).toEqual(bag);
  });

  test('a user already in the group still gets one first nonce (nova-compute acts on it)', async () => {
    const w = world({}, { groups: { lxd: ['nova'] } }, {}, withNova());
    await run(w, 'lxd-relation-changed');
    expect(lxdBag(w)?.nonce).toMatch(UUID);
    expect(w.host.actions.filter((a) => a.startsWith('gpasswd'))).toEqual([]);
  });

  test('a changed pool name is published with a new nonce once the new pool exists, not before', async () => {
    const w = world({}, {}, {}, withNova());
    await run(w, 'lxd-relation-changed');
    const first = lxdBag(w);
    configure(w, { 'storage-pool': 'nova' });
    await run(w); // blocked: the old pool still exists
    expect(lxdBag(w)).toEqual(first);
    w.lxd.profiles.set('default', { config: {}, devices: {} });
    w.lxd.pools.delete('lxd'); // by hand, as the blocked status says
    await run(w);
    expect(lxdBag(w)).toMatchObject({ pool: 'nova', nonce: expect.stringMatching(UUID) });
    expect(lxdBag(w)?.nonce).not.toBe(first?.nonce);
    expect(await rerun(w)).toEqual([]);
  });

  test('nothing is published before nova-compute named its user, nor while that user is not in group lxd', async () => {
    const w = world({}, {}, {}, aUnit().withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': {} } }));
    await run(w, 'lxd-relation-created');
    await run(w, 'lxd-relation-joined');
    expect(lxdBag(w)?.nonce).toBeUndefined();
    expect(lxdBag(w)?.pool).toBeUndefined();
  });

  test('an invalid user name from the principal is refused and reported', async () => {
    const w = world({}, {}, {}, withNova('--help'));
    await run(w, 'lxd-relation-changed');
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'nova-compute/0 sent an invalid user name "--help"' });
    expect(w.host.actions.filter((a) => a.startsWith('gpasswd'))).toEqual([]);
  });
});

describe('install', () => {
  test('is a no-op when the packages are present (the emulator preinstalls the deb)', async () => {
    const w = world();
    await run(w, 'install');
    expect(w.host.actions).toEqual([]);
  });

  test('Debian gets the native deb; Ubuntu the snap on the configured channel', async () => {
    const debian = world({}, { packages: [] });
    await run(debian, 'install');
    expect(debian.host.actions).toEqual(['apt-get install lxd lxd-client lvm2 thin-provisioning-tools btrfs-progs nftables dnsmasq-base uidmap']);
    const ubuntu = world({ 'lxd-channel': '5.0/stable', 'use-criu': true }, { os: { id: 'ubuntu', versionId: '24.04' }, packages: [] });
    await run(ubuntu, 'install');
    expect(ubuntu.host.actions).toEqual(['apt-get install lvm2 thin-provisioning-tools btrfs-progs nftables dnsmasq-base uidmap', 'snap install lxd --channel=5.0/stable']);
  });

  test('a package a later config needs that cannot be installed blocks once, naming it (no doubled prefix)', async () => {
    const w = world({ 'use-criu': true }, { broken: { criu: 'E: Unable to locate package criu' } });
    await run(w);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'cannot install criu: E: Unable to locate package criu (wanted by use-criu=true: make criu installable or set use-criu=false)' });
  });

  test('a package failure blocks, naming the package and the error', async () => {
    const w = world({}, { packages: [], broken: { 'thin-provisioning-tools': 'E: Unable to locate package thin-provisioning-tools' } });
    await run(w, 'install');
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'cannot install thin-provisioning-tools: E: Unable to locate package thin-provisioning-tools' });
  });
});
