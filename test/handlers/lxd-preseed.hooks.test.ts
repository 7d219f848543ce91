// lxd-preseed through the charm's event table: state in (config, FakeLxd) → config-changed → state out;
// a second run sends no POST or PATCH; bad preseeds block naming the problem and change nothing.
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import type { ConfigValue } from '../../src/juju/hook-tools';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

interface World {
  juju: FakeJuju;
  readonly lxd: FakeLxd;
  readonly host: FakeHost;
}

const PRESEED = `
config:
  images.auto_update_interval: 6
  images.remote_cache_expiry: 5
storage_pools:
- name: scratch
  driver: dir
networks:
- name: br-ext
  type: bridge
  config:
    ipv4.address: 10.77.0.1/24
    ipv4.nat: false
projects:
- name: tenant
  config: { features.images: false }
profiles:
- name: big
  config: { limits.cpu: 4 }
  devices:
    scratch: { type: disk, pool: scratch, path: /scratch, source: vol }
- name: default
  config: { security.nesting: true }
`;

const world = (config: Record<string, ConfigValue>): World => ({
  juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false, 'storage-type': 'dir', ...config })),
  lxd: new FakeLxd(),
  host: new FakeHost({ modules: ['netlink_diag'], ext4Userns: true }),
});

async function lxdWrites(w: World, hook = 'config-changed'): Promise<string[]> {
  const before = w.lxd.writes.length;
  expect((await runHook(hook, w)).exitCode).toBe(0);
  return w.lxd.writes.slice(before);
}

function configure(w: World, values: Record<string, ConfigValue>): void {
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, config: { ...state.config, ...values } });
}

test('a preseed is applied on top of the charm: pool, network, project, profiles, server key; a second run sends nothing', async () => {
  const w = world({ 'lxd-preseed': PRESEED });
  const first = await lxdWrites(w);
  expect(first.filter((l) => !/ (lxd|lxdbr0)$|core\.|\/profiles\/default (eth0|root)/.test(l))).toEqual([
    'POST /1.0/storage-pools scratch',
    'POST /1.0/networks br-ext',
    'POST /1.0/projects tenant',
    'POST /1.0/profiles big',
    'PATCH /1.0/profiles/default security.nesting',
    'PATCH /1.0 images.auto_update_interval,images.remote_cache_expiry',
  ]);
  expect(w.lxd.nets.get('br-ext')?.config).toEqual({ 'ipv4.address': '10.77.0.1/24', 'ipv4.nat': 'false' });
  expect(w.lxd.projects.get('tenant')?.config).toEqual({ 'features.images': 'false' });
  expect(w.lxd.profiles.get('big')).toEqual({ config: { 'limits.cpu': '4' }, devices: { scratch: { type: 'disk', pool: 'scratch', path: '/scratch', source: 'vol' } } });
  // the charm's own devices on the default profile stay, the preseed's config joins them
  expect(w.lxd.profiles.get('default')).toMatchObject({ config: { 'security.nesting': 'true' }, devices: { root: { pool: 'lxd' }, eth0: { network: 'lxdbr0' } } });
  expect(w.lxd.serverConfig['images.remote_cache_expiry']).toBe('5');
  // set to its default, which LXD does not store: remembered as set, so not sent again below
  expect(w.lxd.serverConfig['images.auto_update_interval']).toBeUndefined();
  expect(JSON.parse(w.juju.state.charmState['preseed-server'] ?? '{}')).toEqual({ 'images.auto_update_interval': '6', 'images.remote_cache_expiry': '5' });
  expect(w.juju.unitStatus.status).toBe('active');

  expect(await lxdWrites(w)).toEqual([]);
  expect(await lxdWrites(w, 'upgrade-charm')).toEqual([]);
});

test('a changed value is PATCHed alone; a hand change to a preseed key is put back', async () => {
  const w = world({ 'lxd-preseed': PRESEED });
  await lxdWrites(w);
  configure(w, { 'lxd-preseed': PRESEED.replace('limits.cpu: 4', 'limits.cpu: 8') });
  expect(await lxdWrites(w)).toEqual(['PATCH /1.0/profiles/big limits.cpu']);
  w.lxd.projects.set('tenant', { config: { 'features.images': 'true' } });
  expect(await lxdWrites(w, 'upgrade-charm')).toEqual(['PATCH /1.0/projects/tenant features.images']);
});

test.each([
  ['invalid YAML', 'config:\n  a: 1\n b: [2\n', /^invalid config: lxd-preseed is not valid YAML \(line 3: /],
  ['an unknown section', 'cluster:\n  enabled: true\n', /^invalid config: lxd-preseed has unknown section cluster \(line 1\); known: /],
  ['the charm’s pool', 'storage_pools:\n- name: lxd\n  driver: zfs\n', /^invalid config: lxd-preseed storage_pools lxd \(line 2\) conflicts with storage-pool: the charm manages pool lxd$/],
  ['the listener', 'config:\n  core.https_address: ":9443"\n', /^invalid config: lxd-preseed config\.core\.https_address \(line 2\) conflicts with https-port/],
])('%s blocks naming it, and nothing in LXD or on the host changes', async (_what, preseed, message) => {
  const w = world({ 'lxd-preseed': preseed });
  expect(await lxdWrites(w)).toEqual([]);
  expect(w.juju.unitStatus.status).toBe('blocked');
  expect(w.juju.unitStatus.message).toMatch(message);
  expect(w.host.actions).toEqual([]);
});

test('a server key LXD does not know: the PATCH fails, the unit is blocked with LXD\'s words', async () => {
  const w = world({ 'lxd-preseed': 'config:\n  no.such.key: 1\n' });
  await lxdWrites(w);
  expect(w.juju.unitStatus).toMatchObject({ status: 'blocked', message: expect.stringMatching(/cannot set no\.such\.key=1 \(lxd-preseed\): LXD PATCH \/1\.0 failed \(400\): .*unknown key/) });
});

test('a preseed pool that exists with another driver blocks, naming both', async () => {
  const w = world({ 'lxd-preseed': 'storage_pools:\n- name: scratch\n  driver: btrfs\n' });
  w.lxd.pools.set('scratch', { name: 'scratch', driver: 'dir', config: {}, usedBy: [], status: 'Created' });
  await lxdWrites(w);
  expect(w.juju.unitStatus).toMatchObject({ status: 'blocked', message: expect.stringContaining('lxd-preseed storage_pools scratch asks for driver btrfs but LXD has it as dir') });
});
