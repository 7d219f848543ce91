// On a snap host the user's client files go everywhere lxc and pylxd look: the snap's lxc and current
// pylxd (~/snap/lxd/common/config), an lxc outside the snap (~/.config/lxc), old pylxd
// (~/snap/lxd/current/.config/lxc, where current names the revision). One certificate and key in all,
// remotes where lxc looks; a place that diverged reads as a remote to repair; a second run writes nothing.
// Runs the real openssl in a temp dir, as client-cert.test.ts does.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withoutRemote } from '../../src/lxd/client-config';
import { runCommand, type RunCommand } from '../../src/lxd/client-cert';
import { FsClientConfigStore } from '../../src/lxd/fs-client-config';
import type { LocalUser } from '../../src/lxd/client-config-store';
import { serverCertOf } from './builders';

let root: string;
const me: LocalUser = { name: 'nova', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, home: '/var/lib/nova' };
const remote = { name: 'juju-host-1', url: 'https://10.0.0.11:8443', pinnedCert: serverCertOf(1), peer: 'lxd/1' };
const at = (rel: string): string => join(root, 'var/lib/nova', rel);
const SNAP = 'snap/lxd/common/config';
const DEB = '.config/lxc';
const OLD_PYLXD = 'snap/lxd/24322/.config/lxc';
let openssl = 0;
const counting: RunCommand = async (command, args) => {
  openssl++;
  return runCommand(command, args);
};
let store: FsClientConfigStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-places-'));
  mkdirSync(at('snap/lxd/24322'), { recursive: true });
  symlinkSync('24322', at('snap/lxd/current'));
  store = new FsClientConfigStore({ root, packaging: 'snap', run: counting });
  openssl = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mtimes = (): number[] => [SNAP, DEB, OLD_PYLXD].flatMap((d) => ['client.crt', 'client.key'].map((f) => statSync(at(`${d}/${f}`)).mtimeMs));

test('snap host: one certificate and key in the snap config, ~/.config/lxc and old pylxd\'s revision dir; then no writes', async () => {
  const pem = await store.ensureClientCert(me, 'juju-host-0');
  expect(openssl).toBe(1);
  for (const dir of [SNAP, DEB, OLD_PYLXD]) {
    expect(readFileSync(at(`${dir}/client.crt`), 'utf8')).toBe(pem);
    expect(readFileSync(at(`${dir}/client.key`), 'utf8')).toBe(readFileSync(at(`${SNAP}/client.key`), 'utf8'));
    expect(lstatSync(at(`${dir}/client.key`)).mode & 0o777).toBe(0o600);
  }
  const before = mtimes();
  expect(await store.ensureClientCert(me, 'juju-host-0')).toBe(pem);
  expect(mtimes()).toEqual(before);
  expect(openssl).toBe(1);
});

test('snap host: a copy that diverged (a new key by hand) is put back to the one certificate', async () => {
  const pem = await store.ensureClientCert(me, 'juju-host-0');
  writeFileSync(at(`${DEB}/client.crt`), 'something else');
  await store.ensureClientCert(me, 'juju-host-0');
  expect(readFileSync(at(`${DEB}/client.crt`), 'utf8')).toBe(pem);
});

test('snap host: remotes and pins go to both lxc places, not to pylxd\'s; a place that lost one reads as to repair', async () => {
  await store.writeRemote(me, remote);
  for (const dir of [SNAP, DEB]) {
    expect(readFileSync(at(`${dir}/config.yml`), 'utf8')).toContain('https://10.0.0.11:8443');
    expect(readFileSync(at(`${dir}/servercerts/juju-host-1.crt`), 'utf8')).toBe(serverCertOf(1));
  }
  expect(() => statSync(at(`${OLD_PYLXD}/config.yml`))).toThrow();
  expect([...(await store.read(me)).managed.values()][0]?.url).toBe('https://10.0.0.11:8443');
  writeFileSync(at(`${DEB}/config.yml`), withoutRemote(readFileSync(at(`${DEB}/config.yml`), 'utf8'), 'juju-host-1'));
  expect([...(await store.read(me)).managed.values()][0]?.url).toBe('');
  await store.writeRemote(me, remote);
  expect([...(await store.read(me)).managed.values()][0]?.url).toBe('https://10.0.0.11:8443');
  await store.removeRemote(me, 'juju-host-1');
  for (const dir of [SNAP, DEB]) expect(readFileSync(at(`${dir}/config.yml`), 'utf8')).not.toContain('juju-host-1');
});

test('snap host: a current link that does not name a revision is not followed', async () => {
  rmSync(at('snap/lxd/current'));
  symlinkSync('../../../../etc', at('snap/lxd/current'));
  await store.ensureClientCert(me, 'juju-host-0');
  expect(() => statSync(join(root, 'etc/.config/lxc/client.crt'))).toThrow();
});

test('deb host: only ~/.config/lxc', async () => {
  const deb = new FsClientConfigStore({ root, packaging: 'distro', run: counting });
  await deb.ensureClientCert(me, 'juju-host-0');
  await deb.writeRemote(me, remote);
  expect(() => statSync(at(`${SNAP}/client.crt`))).toThrow();
  expect(() => statSync(at(`${OLD_PYLXD}/client.crt`))).toThrow();
  expect(readFileSync(at(`${DEB}/config.yml`), 'utf8')).toContain('juju-host-1');
});
