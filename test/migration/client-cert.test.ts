// Runs the real openssl (in a temp dir): the one migration test that spawns a process.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClientCertIn, runCommand, type RunCommand } from '../../src/lxd/client-cert';
import { FsClientConfigStore } from '../../src/lxd/fs-client-config';
import type { LocalUser } from '../../src/lxd/client-config-store';

const asRoot = process.getuid?.() === 0;
const user: LocalUser = { name: 'nova', uid: asRoot ? 64060 : (process.getuid?.() ?? 0), gid: asRoot ? 64061 : (process.getgid?.() ?? 0), home: '/var/lib/nova' };
let dir: string;
let spawned: string[];
const counting: RunCommand = (command, args) => {
  spawned.push(command);
  return runCommand(command, args);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-cert-'));
  spawned = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a missing client certificate is made like lxc makes it: EC P-384, CN user@host, key 0600, owned by the user', async () => {
  const pem = await ensureClientCertIn(dir, user, 'juju-host-0', counting);
  const cert = new X509Certificate(pem);
  expect(cert.subject).toBe('CN=nova@juju-host-0');
  expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
  expect(cert.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'client.key'))))).toBe(true);
  expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(3649 * 86_400_000);
  expect(lstatSync(join(dir, 'client.key')).mode & 0o777).toBe(0o600);
  expect(lstatSync(join(dir, 'client.crt')).mode & 0o777).toBe(0o644);
  expect([lstatSync(join(dir, 'client.key')).uid, lstatSync(join(dir, 'client.key')).gid]).toEqual([user.uid, user.gid]);
  expect(readdirSync(dir).sort()).toEqual(['client.crt', 'client.key']); // no work dir left behind
  expect(spawned).toEqual(['openssl']);
});

test('an existing pair is kept and read, without running openssl', async () => {
  const first = await ensureClientCertIn(dir, user, 'juju-host-0', counting);
  const second = await ensureClientCertIn(dir, user, 'other-host', counting);
  expect(second).toBe(first);
  expect(spawned).toEqual(['openssl']);
});

test('half a pair is reported and left alone (the operator\'s to fix)', async () => {
  writeFileSync(join(dir, 'client.crt'), 'operator data');
  await expect(ensureClientCertIn(dir, user, 'juju-host-0', counting)).rejects.toThrow(/client.crt is file and client.key is missing/);
  expect(readFileSync(join(dir, 'client.crt'), 'utf8')).toBe('operator data');
  expect(spawned).toEqual([]);
});

test('a host name that would bend the certificate subject is refused before openssl runs', async () => {
  await expect(ensureClientCertIn(dir, user, 'x/CN=admin', counting)).rejects.toThrow(/cannot go in a certificate subject/);
  expect(spawned).toEqual([]);
});

test('openssl missing or failing is a clear error and leaves no files', async () => {
  const missing: RunCommand = (_c, args) => runCommand('/nonexistent/openssl', args);
  await expect(ensureClientCertIn(dir, user, 'juju-host-0', missing)).rejects.toThrow(/openssl req failed \(exit 127\)/);
  expect(readdirSync(dir)).toEqual([]);
});

test('the file store puts the pair in the user\'s lxc config dir, made 0700', async () => {
  mkdirSync(join(dir, 'var/lib/nova'), { recursive: true });
  const store = new FsClientConfigStore({ root: dir, packaging: 'distro', run: counting });
  const pem = await store.ensureClientCert(user, 'juju-host-0');
  const confdir = join(dir, 'var/lib/nova/.config/lxc');
  expect(readFileSync(join(confdir, 'client.crt'), 'utf8')).toBe(pem);
  expect(lstatSync(confdir).mode & 0o777).toBe(0o700);
  expect(existsSync(join(confdir, 'client.key'))).toBe(true);
});
