import type { DeviceFacts } from '../../src/host/host';
import { chooseSource } from '../../src/model/software';
import type { ServerInfo } from '../../src/lxd/lxd-api';
import { readCharmState, type CharmState } from '../../src/model/charm-state';
import { parseConfig } from '../../src/model/config';
import { desiredHost, type DesiredHost } from '../../src/model/desired';
import type { Observed, ObservedDevice } from '../../src/reconcile/observed';
import { describeChange, plan } from '../../src/reconcile/plan';
import { BASE_PACKAGES, DEB_LXD_PACKAGES } from '../../src/model/software';
import { PRODUCTION_SYSCTL, appliedMarker, desiredHardening, desiredSysctl } from '../../src/model/kernel-tuning';

const want = (config: Record<string, string | number | boolean> = {}, users: string[] = []): DesiredHost => {
  const parsed = parseConfig(config);
  if (!parsed.ok) throw new Error('bad test config');
  return desiredHost({ config: parsed.config, bindAddress: '10.0.0.5', relationUsers: users, packaging: chooseSource(parsed.config.install.source, 'debian') });
};

const server = (extra: Partial<ServerInfo> = {}): ServerInfo => ({
  apiExtensions: ['certificate_token'],
  serverVersion: '5.0.2',
  config: { 'core.https_address': '10.0.0.5:8443', 'core.trust_password': 'true' },
  addresses: ['10.0.0.5:8443'],
  certificateFingerprint: 'f',
  storageDrivers: ['lvm', 'dir'],
  ...extra,
});

const empty: DeviceFacts = { exists: true, isBlock: true, content: { kind: 'empty' } };
const device = (facts: DeviceFacts | null, resolved: string | null = '/dev/vdb'): ObservedDevice => ({ device: resolved, facts });

/** A host that already is exactly what want() with defaults asks for. */
const converged = (overrides: Partial<Observed> = {}, state: Partial<CharmState> = {}): Observed => ({
  server: server(),
  pools: [{ name: 'lxd', driver: 'lvm', config: { 'lvm.vg_name': 'lxd_vg', source: 'lxd_vg' }, usedBy: ['/1.0/profiles/default'], status: 'Created' }],
  formerPool: null,
  poolSpace: null,
  networks: [{ name: 'lxdbr0', type: 'bridge', managed: true, config: { 'ipv4.address': '10.12.0.1/24', 'ipv4.nat': 'true', 'ipv6.address': 'none', 'bridge.mtu': '1500' } }],
  defaultProfile: { devices: { root: { type: 'disk', path: '/', pool: 'lxd' }, eth0: { type: 'nic', name: 'eth0', network: 'lxdbr0' } } },
  devices: null,
  volumeGroups: null,
  ephemeralMounted: false,
  lxdGroupMembers: [],
  existingUsers: new Set(['root', 'nova']),
  inContainer: false,
  loadedModules: new Set(['netlink_diag']),
  ext4Userns: true,
  rootSubIds: { uid: [{ start: 100000, count: 65536 }], gid: [{ start: 100000, count: 65536 }] },
  installedPackages: null,
  snapChannel: null,
  state: { ...readCharmState({}), trustPasswordHash: 'h1', managedPool: 'lxd', ensuredPackages: [...DEB_LXD_PACKAGES, ...BASE_PACKAGES], sysctlApplied: appliedMarker(PRODUCTION_SYSCTL), ...state },
  snapHost: null,
  trustPasswordHash: 'h1',
  kernelTuning: {
    sysctlFile: desiredSysctl(true).content,
    hardeningFile: desiredHardening(true).content,
    sysctlKernel: null,
    modes: new Map([['/proc/sched_debug', 0o400], ['/sys/kernel/slab', 0o700]]),
  },
  preseed: new Map(),
  https: { trust: null },
  ...overrides,
});

const kinds = (p: ReturnType<typeof plan>): string[] => p.changes.map(describeChange);

test('a converged host gives an empty plan', () => {
  expect(plan(want(), converged())).toEqual({ changes: [], blocked: [], notes: [] });
});

test('a fresh daemon gets pool, bridge, listener, trust password, then the profile', () => {
  const fresh = converged({ server: server({ config: {}, addresses: [] }), pools: [], networks: [], defaultProfile: { devices: {} } }, { trustPasswordHash: '' });
  expect(kinds(plan(want(), fresh))).toEqual([
    'create lvm storage pool lxd',
    'create bridge lxdbr0',
    'set core.https_address=10.0.0.5:8443',
    'set core.trust_password',
    'set default profile devices root, eth0',
  ]);
  const pool = plan(want({ 'lvm-thinpool': false }), fresh).changes[0];
  expect(pool).toEqual({ kind: 'create-pool', pool: expect.objectContaining({ config: { 'lvm.vg_name': 'lxd_vg', 'lvm.use_thinpool': 'false' } }) });
});

describe('bridge', () => {
  test('auto is never re-sent once LXD stored a concrete subnet', () => {
    expect(plan(want({ 'bridge-ipv4': 'auto' }), converged()).changes).toEqual([]);
  });

  test('a changed setting patches the existing bridge in place with concrete values only', () => {
    expect(plan(want({ 'bridge-ipv4': '10.50.0.1/24', 'bridge-mtu': 9000 }), converged()).changes).toEqual([
      { kind: 'patch-bridge', name: 'lxdbr0', config: { 'bridge.mtu': '9000', 'ipv4.address': '10.50.0.1/24' } },
    ]);
  });

  test('turning NAT off and IPv6 on patches exactly those keys', () => {
    expect(plan(want({ 'bridge-nat': false, 'bridge-ipv6': 'fd42:7::1/64' }), converged()).changes).toEqual([
      { kind: 'patch-bridge', name: 'lxdbr0', config: { 'ipv4.nat': 'false', 'ipv6.address': 'fd42:7::1/64', 'ipv6.nat': 'false' } },
    ]);
  });

  test('a host interface with the bridge name blocks instead of being taken over', () => {
    const p = plan(want(), converged({ networks: [{ name: 'lxdbr0', type: 'physical', managed: false, config: {} }] }));
    expect(p.blocked).toEqual(['network lxdbr0 exists and is not an LXD-managed bridge']);
    expect(p.changes).toEqual([]);
  });
});

describe('storage', () => {
  test('a pool of another type is never destroyed: blocked, naming both types', () => {
    const p = plan(want({ 'storage-type': 'btrfs' }), converged());
    expect(p.blocked).toEqual(['storage-type is btrfs but storage pool lxd exists as lvm (used by 1 object(s)); LXD cannot convert a pool: set storage-type=lvm back']);
    expect(p.changes).toEqual([]);
  });

  test('two clean devices: one volume group over both, handed to LXD by name', () => {
    const devices = new Map([['/dev/vdb', device(empty)], ['/dev/vdc', device(empty, '/dev/vdc')]]);
    const p = plan(want({ 'block-devices': '/dev/vdb /dev/vdc' }), converged({ pools: [], devices, volumeGroups: [] }));
    expect(p.changes.slice(0, 2)).toEqual([
      { kind: 'create-volume-group', name: 'lxd_vg', devices: ['/dev/vdb', '/dev/vdc'] },
      { kind: 'create-pool', pool: expect.objectContaining({ driver: 'lvm', config: { 'lvm.vg_name': 'lxd_vg', 'lvm.use_thinpool': 'true', source: 'lxd_vg' } }) },
    ]);
    expect(p.changes[2]).toEqual({ kind: 'remember-pool-devices', devices: [{ spec: '/dev/vdb', device: '/dev/vdb' }, { spec: '/dev/vdc', device: '/dev/vdc' }] });
  });

  test('an added device extends the volume group', () => {
    const member: DeviceFacts = { exists: true, isBlock: true, content: { kind: 'lvm-pv', volumeGroup: 'lxd_vg' } };
    const devices = new Map([['/dev/vdb', device(member)], ['/dev/vdc', device(empty, '/dev/vdc')]]);
    const p = plan(want({ 'block-devices': '/dev/vdb /dev/vdc' }), converged({ devices, volumeGroups: [{ name: 'lxd_vg', physicalVolumes: ['/dev/vdb'] }] }, { poolDevices: [{ spec: '/dev/vdb', device: '/dev/vdb' }] }));
    // the pool is a thin pool (LXD's default): the new extents reach it only when it is extended too
    expect(kinds(p)).toEqual(['extend volume group lxd_vg with /dev/vdc', "extend thin pool lxd_vg/LXDThinPool over the volume group's free space", 'remember pool devices /dev/vdb, /dev/vdc']);
    const thick = converged({ devices, volumeGroups: [{ name: 'lxd_vg', physicalVolumes: ['/dev/vdb'] }], pools: [{ name: 'lxd', driver: 'lvm', config: { 'lvm.vg_name': 'lxd_vg', 'lvm.use_thinpool': 'false' }, usedBy: [], status: 'Created' }] }, { poolDevices: [{ spec: '/dev/vdb', device: '/dev/vdb' }] });
    expect(kinds(plan(want({ 'block-devices': '/dev/vdb /dev/vdc', 'lvm-thinpool': false }), thick))).toEqual(['extend volume group lxd_vg with /dev/vdc', 'remember pool devices /dev/vdb, /dev/vdc']);
  });

  test.each<[string, DeviceFacts, string]>([
    ['a filesystem', { exists: true, isBlock: true, content: { kind: 'filesystem', type: 'ext4' } }, '/dev/vdb holds an ext4 filesystem; set overwrite=true to wipe it'],
    ['a partition table', { exists: true, isBlock: true, content: { kind: 'partition-table', type: 'gpt' } }, '/dev/vdb holds a gpt partition table; set overwrite=true to wipe it'],
    ['another volume group', { exists: true, isBlock: true, content: { kind: 'lvm-pv', volumeGroup: 'data' } }, '/dev/vdb holds an LVM physical volume of volume group data; set overwrite=true to wipe it'],
    ['nothing at all', { exists: false }, 'block device /dev/vdb does not exist'],
    ['a regular file', { exists: true, isBlock: false, content: { kind: 'other', type: 'file' } }, '/dev/vdb is not a block device'],
  ])('a device holding %s is not touched with overwrite=false', (_what, facts, reason) => {
    const p = plan(want({ 'block-devices': '/dev/vdb' }), converged({ pools: [], devices: new Map([['/dev/vdb', device(facts)]]), volumeGroups: [] }));
    expect(p.blocked).toEqual([reason]);
    expect(p.changes.filter((c) => ['wipe-device', 'create-volume-group', 'create-pool'].includes(c.kind))).toEqual([]);
  });

  test('overwrite=true wipes a used device once, then builds on it', () => {
    const fs: DeviceFacts = { exists: true, isBlock: true, content: { kind: 'filesystem', type: 'ext4' } };
    const have = converged({ pools: [], devices: new Map([['/dev/vdb', device(fs)]]), volumeGroups: [] });
    expect(kinds(plan(want({ 'block-devices': '/dev/vdb', overwrite: true }), have)).slice(0, 3)).toEqual([
      'wipe /dev/vdb (holds an ext4 filesystem)',
      'create volume group lxd_vg on /dev/vdb',
      'create lvm storage pool lxd',
    ]);
  });

  test('a device wiped once is never wiped again, even with overwrite=true', () => {
    const fs: DeviceFacts = { exists: true, isBlock: true, content: { kind: 'filesystem', type: 'btrfs' } };
    const have = converged({ pools: [], devices: new Map([['/dev/vdb', device(fs)]]), volumeGroups: [] }, { wiped: ['/dev/vdb'] });
    const p = plan(want({ 'block-devices': '/dev/vdb', overwrite: true }), have);
    expect(p.blocked).toEqual(['/dev/vdb holds a btrfs filesystem although it was wiped once already; refusing to wipe it twice']);
    expect(p.changes.some((c) => c.kind === 'wipe-device')).toBe(false);
  });

  test('a loop file not attached yet is attached first; the pool waits for the next round', () => {
    const have = converged({ pools: [], devices: new Map([['/srv/a.img|1G', device(null, null)]]), volumeGroups: [] });
    expect(plan(want({ 'block-devices': '/srv/a.img|1G' }), have).changes).toEqual([{ kind: 'attach-loop', spec: '/srv/a.img|1G', file: '/srv/a.img', sizeBytes: 1024 ** 3 }]);
  });

  test('btrfs on one device hands the device itself to LXD', () => {
    const have = converged({ pools: [], devices: new Map([['/dev/vdb', device(empty)]]) });
    expect(plan(want({ 'storage-type': 'btrfs', 'block-devices': '/dev/vdb' }), have).changes[0]).toEqual({
      kind: 'create-pool',
      pool: expect.objectContaining({ driver: 'btrfs', config: { source: '/dev/vdb' } }),
    });
  });
});

describe('listener, trust and access', () => {
  test('a new binding address moves the listener', () => {
    const p = plan(want(), converged({ server: server({ config: { 'core.https_address': '10.0.0.9:8443', 'core.trust_password': 'true' } }) }));
    expect(p.changes).toEqual([{ kind: 'patch-server', config: { 'core.https_address': '10.0.0.5:8443' } }]);
  });

  test('a changed trust password is set again (compared by hash; LXD cannot read it back)', () => {
    expect(plan(want(), converged({ trustPasswordHash: 'h2' })).changes).toEqual([{ kind: 'set-trust-password' }]);
  });

  test('LXD without core.trust_password (6.1+) is noted, never patched', () => {
    const p = plan(want(), converged({ server: server({ apiExtensions: ['certificate_token', 'explicit_trust_token'], config: { 'core.https_address': '10.0.0.5:8443' } }), trustPasswordHash: 'h2' }));
    expect(p.changes).toEqual([]);
    expect(p.notes).toEqual(['LXD has no core.trust_password: trust by token only']);
  });

  test("nova's user joins group lxd, created when missing; an unknown user blocks", () => {
    expect(kinds(plan(want({}, ['nova']), converged({ lxdGroupMembers: null })))).toEqual(['create group lxd', 'add nova to group lxd']);
    expect(plan(want({}, ['nova']), converged({ lxdGroupMembers: ['nova'] })).changes).toEqual([]);
    expect(plan(want({}, ['ghost']), converged()).blocked).toEqual(['user ghost (from nova-compute) does not exist on this machine']);
  });

  test('kernel prerequisites are set on a machine and skipped, with a note, in a container', () => {
    const bare = converged({ loadedModules: new Set(), ext4Userns: false, rootSubIds: { uid: [], gid: [] } });
    expect(kinds(plan(want(), bare))).toEqual(['load kernel module netlink_diag', 'set ext4 userns_mounts=true', 'give root subuid/subgid range 1000000+1000000000']);
    const container = plan(want(), { ...bare, inContainer: true });
    expect(container.changes).toEqual([]);
    expect(container.notes).toEqual(['in a container: kernel modules, ext4 userns mounts and subuid ranges are left to the host', 'in a container: kernel-hardening file modes are left to the host']);
  });
});

describe('software', () => {
  const onUbuntu = (config: Record<string, string | number | boolean> = {}): DesiredHost => {
    const parsed = parseConfig(config);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return desiredHost({ config: parsed.config, bindAddress: '10.0.0.5', relationUsers: [], packaging: chooseSource(parsed.config.install.source, 'ubuntu') });
  };

  test('a package a later config needs is installed first, then remembered; ensured ones are not asked about', () => {
    const zfs = want({ 'storage-type': 'zfs' });
    const have = converged({ installedPackages: new Set(), pools: [] });
    expect(plan(zfs, have).changes[0]).toEqual({ kind: 'ensure-packages', missing: ['zfsutils-linux'], wanted: expect.arrayContaining(['zfsutils-linux', 'lxd']) });
    expect(kinds(plan(zfs, have))[0]).toBe('install zfsutils-linux');
    // already present: only remembered (no apt), and nothing at all once remembered
    expect(kinds(plan(zfs, converged({ installedPackages: new Set(['zfsutils-linux']), pools: [] })))[0]).toBe(`note that ${[...new Set([...DEB_LXD_PACKAGES, ...BASE_PACKAGES, 'zfsutils-linux'])].sort().join(' ')} are installed`);
    expect(plan(want(), converged({ installedPackages: null })).changes).toEqual([]);
  });

  test('the lxd snap follows lxd-channel forward, is installed when missing, and is never taken back a track', () => {
    const tracked = { ensuredPackages: [...BASE_PACKAGES], snapChannel: '5.21/stable' };
    expect(plan(onUbuntu(), converged({ snapChannel: '5.21/stable' }, tracked)).changes).toEqual([]);
    expect(kinds(plan(onUbuntu({ 'lxd-channel': '6' }), converged({ snapChannel: '5.21/stable' }, tracked)))).toEqual(['refresh the lxd snap from 5.21/stable to 6/stable']);
    expect(kinds(plan(onUbuntu({ 'lxd-channel': 'latest/edge' }), converged({ snapChannel: '5.21/stable' }, tracked)))).toEqual(['refresh the lxd snap from 5.21/stable to latest/edge']);
    expect(kinds(plan(onUbuntu(), converged({ snapChannel: null }, tracked)))).toEqual(['install the lxd snap from 5.21/stable']);
    expect(kinds(plan(onUbuntu(), converged({ snapChannel: '5.21/stable' }, { ...tracked, snapChannel: '' })))).toEqual(['note that the lxd snap tracks 5.21/stable']);
    const back = plan(onUbuntu({ 'lxd-channel': '5.0/stable' }), converged({ snapChannel: '5.21/stable' }, tracked));
    expect(back.changes).toEqual([]);
    expect(back.blocked).toEqual(['lxd-channel 5.0/stable would take LXD back from 5.21/stable: LXD cannot downgrade its database (set lxd-channel to 5.21/stable or newer)']);
  });

  test('Debian uses the distro deb: no snap is looked at', () => {
    expect(plan(want({ 'lxd-channel': '5.0/stable' }), converged({ snapChannel: null })).changes).toEqual([]);
  });
});
