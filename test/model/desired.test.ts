import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig, type CharmConfig } from '../../src/model/config';
import { desiredHost, isValidUserName, listenAddress } from '../../src/model/desired';
import { renderPreseed } from '../../src/model/preseed';

const config = (values: Record<string, string | number | boolean> = {}): CharmConfig => {
  const parsed = parseConfig(values);
  if (!parsed.ok) throw new Error('bad test config');
  return parsed.config;
};

test('defaults: lvm pool over the charm-built VG, bridge with auto IPv4 and NAT, default profile on both', () => {
  const want = desiredHost({ config: config(), bindAddress: '10.0.0.5', relationUsers: ['nova', 'nova'], packaging: 'distro' });
  expect(want.pool).toMatchObject({ name: 'lxd', driver: 'lvm', volumeGroup: 'lxd_vg', config: { 'lvm.vg_name': 'lxd_vg', 'lvm.use_thinpool': 'true' } });
  expect(want.bridge).toEqual({ name: 'lxdbr0', config: { 'bridge.mtu': '1500', 'ipv4.address': 'auto', 'ipv4.nat': 'true', 'ipv6.address': 'none' } });
  expect(want.profileDevices).toEqual({ root: { type: 'disk', path: '/', pool: 'lxd' }, eth0: { type: 'nic', name: 'eth0', network: 'lxdbr0' } });
  expect(want.httpsAddress).toBe('10.0.0.5:8443');
  expect(want.lxdUsers).toEqual(['nova']);
});

test('btrfs and dir pools carry no LVM keys', () => {
  expect(desiredHost({ config: config({ 'storage-type': 'dir' }), bindAddress: null, relationUsers: [], packaging: 'distro' }).pool).toMatchObject({ driver: 'dir', volumeGroup: null, config: {} });
});

test.each([
  ['10.0.0.5', 8443, '10.0.0.5:8443'],
  ['fd00::5', 9443, '[fd00::5]:9443'],
])('listenAddress(%p, %p) = %s', (address, port, expected) => expect(listenAddress(address, port)).toBe(expected));

test('no bind address: the listener is left as it is, never moved to all addresses', () => {
  expect(desiredHost({ config: config(), bindAddress: null, relationUsers: [], packaging: 'distro' }).httpsAddress).toBeNull();
});

test.each([
  ['nova', true],
  ['_svc-1', true],
  ['-rf', false],
  ['../etc', false],
  ['Nova', false],
  ['a'.repeat(33), false],
])('user name %p valid: %p', (name, valid) => expect(isValidUserName(name)).toBe(valid));

test('the preseed record is valid YAML that says what the charm wants, secret masked', async () => {
  const want = desiredHost({ config: config({ 'block-devices': '/dev/vdb /srv/x.img|2G', 'bridge-ipv4': '10.9.0.1/24' }), bindAddress: '10.0.0.5', relationUsers: ['nova'], packaging: 'distro' });
  const text = await renderPreseed(want, readFileSync(join(__dirname, '../../templates/preseed.yaml.hbs'), 'utf8'));
  expect(parseYaml(text)).toEqual({
    config: { 'core.https_address': '10.0.0.5:8443', 'core.trust_password': '<secret>' },
    storage_pools: [{ name: 'lxd', driver: 'lvm', source: 'lxd_vg', config: { 'lvm.vg_name': 'lxd_vg', 'lvm.use_thinpool': 'true' } }],
    networks: [{ name: 'lxdbr0', type: 'bridge', config: { 'bridge.mtu': '1500', 'ipv4.address': '10.9.0.1/24', 'ipv4.nat': 'true', 'ipv6.address': 'none' } }],
    profiles: [{ name: 'default', devices: { root: { type: 'disk', path: '/', pool: 'lxd' }, eth0: { type: 'nic', name: 'eth0', network: 'lxdbr0' } } }],
  });
  expect(text).toContain('# backed by: /dev/vdb, /srv/x.img|2G (overwrite: false)');
  expect(text).toContain('members of group lxd: [nova]');
});
