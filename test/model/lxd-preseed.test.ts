// parsePreseed: the lxd init --preseed sections become objects to keep; everything wrong is named,
// with its line, and a key the charm manages names the option that owns it.
import { parsePreseed } from '../../src/model/lxd-preseed';
import { describeProblems, parseConfig } from '../../src/model/config';

const managed = { pool: 'lxd', bridge: 'lxdbr0' };
const problems = (text: string): readonly string[] => {
  const r = parsePreseed(text, managed);
  return r.ok ? [] : r.problems;
};

test('all five sections parse; scalars become LXD strings; order is pools, networks, projects, profiles', () => {
  const r = parsePreseed(
    [
      'config:',
      '  images.auto_update_interval: 6',
      'profiles:',
      '- name: big',
      '  config: { limits.cpu: 4, security.nesting: true }',
      '  devices:',
      '    data: { type: disk, pool: extra, path: /data, source: vol }',
      'projects:',
      '- name: tenant',
      '  config: { features.images: false }',
      'networks:',
      '- name: br-ext',
      '  type: bridge',
      '  config: { ipv4.address: 10.77.0.1/24 }',
      'storage_pools:',
      '- name: extra',
      '  driver: dir',
      '  description: scratch',
    ].join('\n'),
    managed,
  );
  expect(r).toEqual({
    ok: true,
    preseed: {
      config: { 'images.auto_update_interval': '6' },
      objects: [
        { kind: 'storage-pools', name: 'extra', config: {}, devices: {}, create: { driver: 'dir', description: 'scratch' } },
        { kind: 'networks', name: 'br-ext', config: { 'ipv4.address': '10.77.0.1/24' }, devices: {}, create: { type: 'bridge' } },
        { kind: 'projects', name: 'tenant', config: { 'features.images': 'false' }, devices: {}, create: {} },
        { kind: 'profiles', name: 'big', config: { 'limits.cpu': '4', 'security.nesting': 'true' }, devices: { data: { type: 'disk', pool: 'extra', path: '/data', source: 'vol' } }, create: {} },
      ],
    },
  });
});

test('invalid YAML is refused naming the line', () => {
  expect(problems('config:\n  a: 1\n b: [2\n')).toEqual([expect.stringMatching(/^is not valid YAML \(line 3: /)]);
});

test('unknown sections are named with their lines', () => {
  expect(problems('config: {}\ncluster:\n  enabled: true\nstorage_volumes: []\n')).toEqual([
    'has unknown sections cluster (line 2), storage_volumes (line 4); known: config, storage_pools, networks, projects, profiles',
  ]);
});

test('keys the charm manages conflict, naming the preseed key and the option that owns it', () => {
  const text = [
    'config:',
    '  core.https_address: "[::]:9443"',
    '  core.trust_password: hunter2',
    'storage_pools:',
    '- name: lxd',
    '  driver: zfs',
    'networks:',
    '- name: lxdbr0',
    'profiles:',
    '- name: default',
    '  devices:',
    '    root: { type: disk, path: /, pool: other }',
    '    eth0: { type: nic, network: other }',
  ].join('\n');
  expect(problems(text)).toEqual([
    'config.core.https_address (line 2) conflicts with https-port (and the lxd-migration binding): the charm manages core.https_address',
    'config.core.trust_password (line 3) conflicts with trust-password: the charm manages core.trust_password',
    'storage_pools lxd (line 5) conflicts with storage-pool: the charm manages pool lxd',
    'networks lxdbr0 (line 8) conflicts with bridge-name: the charm manages bridge lxdbr0',
    "profiles default (line 10) device root conflicts with storage-pool: the charm manages the default profile's root disk",
    "profiles default (line 10) device eth0 conflicts with bridge-name: the charm manages the default profile's eth0",
  ]);
  // the secret-looking value is never echoed
  expect(problems(text).join(' ')).not.toContain('hunter2');
});

test('shape errors: a section that is not a list, an entry without a name, a pool without a driver', () => {
  expect(problems('networks: { name: x }\nstorage_pools:\n- driver: dir\n- name: p\n')).toEqual([
    'storage_pools entry at line 3 has no name',
    'storage_pools p (line 4) has no driver',
    'networks (line 1) must be a list',
  ]);
  expect(problems('- a\n- b\n')).toEqual(['must be a YAML mapping with sections config, storage_pools, networks, projects, profiles']);
});

test('through parseConfig: a conflict blocks naming lxd-preseed and the charm option; a renamed bridge frees the name', () => {
  const r = parseConfig({ 'lxd-preseed': 'networks:\n- name: br1\n', 'bridge-name': 'br1' });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(describeProblems(r.problems)).toBe('invalid config: lxd-preseed networks br1 (line 2) conflicts with bridge-name: the charm manages bridge br1');
  expect(parseConfig({ 'lxd-preseed': 'networks:\n- name: lxdbr0\n', 'bridge-name': 'br1' }).ok).toBe(true);
  expect(parseConfig({ 'lxd-preseed': '' })).toMatchObject({ ok: true, config: { preseed: { config: {}, objects: [] } } });
});
