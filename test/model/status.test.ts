import type { ServerInfo } from '../../src/lxd/lxd-api';
import { chooseSource } from '../../src/model/software';
import { parseConfig } from '../../src/model/config';
import { desiredHost } from '../../src/model/desired';
import { blocked, readyStatus, trustMethods } from '../../src/model/status';

const server = (apiExtensions: string[], addresses = ['10.0.0.5:8443']): ServerInfo => ({ apiExtensions, serverVersion: '5.0.2', config: {}, addresses, certificateFingerprint: '', storageDrivers: [] });
const want = (values: Record<string, string | number | boolean>) => {
  const parsed = parseConfig(values);
  if (!parsed.ok) throw new Error('bad config');
  return desiredHost({ config: parsed.config, bindAddress: '10.0.0.5', relationUsers: [], packaging: chooseSource(parsed.config.install.source, 'debian') });
};

test.each([
  [['certificate_token'], ['password', 'token']],
  [['certificate_token', 'explicit_trust_token'], ['token']],
  [[], ['password']],
])('trust methods for extensions %p: %p', (extensions, methods) => expect(trustMethods(server(extensions))).toEqual(methods));

test('the ready line names pool and backing, bridge addresses, listener and trust', () => {
  const bridge = { name: 'lxdbr0', type: 'bridge', managed: true, config: { 'ipv4.address': '10.12.0.1/24', 'ipv6.address': 'fd42:1::1/64' } };
  expect(readyStatus(want({ 'bridge-ipv6': 'auto' }), server(['certificate_token']), [bridge], 2)).toEqual({
    status: 'active',
    message: 'Unit is ready (lvm pool lxd on 2 devices, bridge lxdbr0 10.12.0.1/24 fd42:1::1/64, listening 10.0.0.5:8443, trust: password+token)',
  });
  expect(readyStatus(want({ 'storage-type': 'dir' }), server([], []), [], 0).message).toBe('Unit is ready (dir pool lxd, bridge lxdbr0, listening 10.0.0.5:8443, trust: password)');
});

test('blocked joins every reason on one line, squeezing tool output and cutting the very long', () => {
  const message = blocked(['a\n  b', 'x'.repeat(400)]).message;
  expect(message.startsWith('a b; xxx')).toBe(true);
  expect(message).not.toContain('\n');
  expect(message.length).toBeLessThan(320);
});
