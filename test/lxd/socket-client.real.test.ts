// [slow] The socket client against a REAL LXD daemon of its own (LXD_DIR in a temp dir, own network and
// mount namespaces so it can listen without touching the host). Skipped unless root with lxd installed,
// or when SKIP_SLOW=1.
import { join } from 'node:path';
import { LxdSocketClient } from '../../src/lxd/socket-client';
import { clientPackaging, findSocket } from '../../src/lxd/socket-path';
import { LxdApiError, supportsTrustPassword } from '../../src/lxd/lxd-api';
import { probeServer } from '../../src/lxd/server-probe';
import { describeWith } from '../e2e/helpers/requirements';
import { realLxdDaemon, startOwnDaemon, type OwnDaemon } from './own-daemon';


describeWith(realLxdDaemon, '[slow] LxdSocketClient on a real daemon', () => {
  let daemon: OwnDaemon | undefined;
  let lxd: LxdSocketClient;

  beforeAll(async () => {
    daemon = await startOwnDaemon('hostcfg-lxd');
    lxd = daemon.client;
  }, 40_000);

  afterAll(async () => {
    await daemon?.stop();
  }, 30_000);

  test('reads the server: version, extensions, trust-password support', async () => {
    const server = await lxd.server();
    expect(server.serverVersion).toMatch(/^\d+\.\d+/);
    expect(server.apiExtensions).toContain('certificate_token');
    expect(supportsTrustPassword(server)).toBe(true);
    expect(server.storageDrivers).toEqual(expect.arrayContaining(['dir', 'btrfs']));
  });

  test('the entry point\'s HTTP/1.0 probe reads the same version and ETag as the client, and sees a config change', async () => {
    const socket = join(daemon?.dir ?? '', 'unix.socket');
    const before = await lxd.server();
    expect(await probeServer(socket)).toEqual({ serverVersion: before.serverVersion, etag: before.etag, serverPid: before.serverPid });
    expect(before.etag).toMatch(/\S{16,}/);
    expect(before.serverPid).toBeGreaterThan(1);
    await lxd.patchServerConfig({ 'core.https_address': '127.0.0.1:8444' });
    const after = await probeServer(socket);
    expect(after.etag).not.toBe(before.etag);
    expect(after).toEqual({ serverVersion: before.serverVersion, etag: (await lxd.server()).etag, serverPid: before.serverPid });
  });

  test('patches server config with string values and reads the trust password back only as "true"', async () => {
    await lxd.patchServerConfig({ 'core.https_address': '127.0.0.1:8443', 'core.trust_password': 'not-on-argv-0123456789abcdef0123' });
    const server = await lxd.server();
    expect(server.config['core.https_address']).toBe('127.0.0.1:8443');
    expect(server.config['core.trust_password']).toBe('true');
    expect(server.addresses).toEqual(['127.0.0.1:8443']);
  });

  test('an unknown server key is an LxdApiError carrying status, method, path and LXD text', async () => {
    const err = await lxd.patchServerConfig({ 'core.bogus': 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdApiError);
    expect(err).toMatchObject({ status: 400, method: 'PATCH', path: '/1.0' });
    expect((err as LxdApiError).lxdMessage).toMatch(/unknown key/);
  });

  test('creates a dir pool and lists it', async () => {
    await lxd.createStoragePool({ name: 'hc-dir', driver: 'dir', config: {}, description: 'test' });
    expect(await lxd.storagePool('hc-dir')).toEqual(expect.objectContaining({ name: 'hc-dir', driver: 'dir', status: 'Created' }));
    expect(await lxd.storagePool('nope')).toBeNull();
  });

  test('creates a bridge, then patches it in place with concrete values (ETag round trip)', async () => {
    await lxd.createNetwork({ name: 'hcbr0', type: 'bridge', config: { 'ipv4.address': '10.211.7.1/24', 'ipv6.address': 'none' }, description: '' });
    await lxd.patchNetwork('hcbr0', { 'ipv4.address': '10.211.8.1/24', 'bridge.mtu': '1400' });
    const bridge = await lxd.network('hcbr0');
    expect(await lxd.network('nope0')).toBeNull();
    expect(bridge).toMatchObject({ managed: true, type: 'bridge' });
    expect(bridge?.config).toMatchObject({ 'ipv4.address': '10.211.8.1/24', 'bridge.mtu': '1400', 'ipv6.address': 'none' });
  });

  test('patches the default profile devices and reads them back', async () => {
    await lxd.patchProfileDevices('default', {
      root: { type: 'disk', path: '/', pool: 'hc-dir' },
      eth0: { type: 'nic', name: 'eth0', network: 'hcbr0' },
    });
    const profile = await lxd.profile('default');
    expect(profile.devices.root).toEqual({ type: 'disk', path: '/', pool: 'hc-dir' });
    expect(profile.devices.eth0).toEqual({ type: 'nic', name: 'eth0', network: 'hcbr0' });
  });

  test('a stale If-Match is refused with 412', async () => {
    await expect(lxd.call('PATCH', '/1.0/profiles/default', { description: 'x' }, '"stale"')).rejects.toMatchObject({ status: 412 });
  });

  test('an unreachable socket is an LxdApiError naming the socket', async () => {
    const nowhere = new LxdSocketClient({ socketPath: join(daemon?.dir ?? '/nonexistent', 'nope.socket') });
    await expect(nowhere.server()).rejects.toThrow(/cannot reach LXD at .*nope\.socket/);
  });
});

test('findSocket honours LXD_SOCKET, then LXD_DIR, then the deb or snap path', () => {
  expect(findSocket({ LXD_SOCKET: '/x.sock', LXD_DIR: '/d' })).toBe('/x.sock');
  expect(findSocket({ LXD_DIR: '/d' })).toBe('/d/unix.socket');
  expect(findSocket({}, () => false)).toBe('/var/lib/lxd/unix.socket');
  expect(findSocket({}, (p) => p.startsWith('/var/snap'))).toBe('/var/snap/lxd/common/lxd/unix.socket');
  // the unit's lxc is the snap's only where LXD answers on the snap's socket
  expect(clientPackaging(findSocket({}, (p) => p.startsWith('/var/snap')))).toBe('snap');
  expect(clientPackaging(findSocket({}, () => true))).toBe('distro');
  expect(clientPackaging(findSocket({ LXD_SOCKET: '/x.sock' }, () => true))).toBe('distro');
  // a snap host where the charm linked /var/lib/lxd to the snap's data directory is still the snap
  const linked = (p: string): string => p.replace('/var/lib/lxd', '/var/snap/lxd/common/lxd');
  expect(findSocket({}, () => true, linked)).toBe('/var/snap/lxd/common/lxd/unix.socket');
  expect(clientPackaging(findSocket({}, () => true, linked))).toBe('snap');
});
