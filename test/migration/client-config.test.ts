import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configDirOf, parsePasswd, remotesIn, withRemote, withoutRemote, MARKER_FILE } from '../../src/migration/client-config';
import { FsClientConfigStore } from '../../src/migration/fs-client-config';
import { ClientConfigError, type LocalUser } from '../../src/migration/ports';
import { serverCertOf } from './builders';
import { root as asRootUser, testWith } from '../e2e/helpers/requirements';

const OPERATOR_CONFIG = `# operator's notes: keep me
default-remote: prod
remotes:
  images:
    addr: https://images.linuxcontainers.org
    protocol: simplestreams
    public: true
  local:
    addr: unix://
    public: false
  prod:
    addr: https://192.0.2.50:8443
    auth_type: tls
    project: web
    protocol: lxd
    public: false
aliases:
  ll: list -c ns4
`;

describe('config.yml as text', () => {
  test('adding and removing a remote keeps the operator\'s remotes, keys, aliases and comments', () => {
    const added = withRemote(OPERATOR_CONFIG, { name: 'juju-host-1', url: 'https://10.0.0.11:8443' });
    expect(parse(added)).toEqual({
      ...(parse(OPERATOR_CONFIG) as object),
      remotes: { ...(parse(OPERATOR_CONFIG) as { remotes: object }).remotes, 'juju-host-1': { addr: 'https://10.0.0.11:8443', auth_type: 'tls', project: 'default', protocol: 'lxd', public: false } },
    });
    expect(added).toContain("# operator's notes: keep me");
    expect(withoutRemote(added, 'juju-host-1')).toBe(OPERATOR_CONFIG);
  });

  test('changing the address edits only addr', () => {
    const once = withRemote(OPERATOR_CONFIG, { name: 'h1', url: 'https://10.0.0.11:8443' });
    const moved = withRemote(once, { name: 'h1', url: 'https://[fd42::1]:8443' });
    expect(remotesIn(moved).get('h1')).toBe('https://[fd42::1]:8443');
    expect(moved.split('\n').length).toBe(once.split('\n').length);
  });

  test('names YAML 1.1 reads as booleans are quoted (lxc uses YAML 1.1)', () => {
    expect(withRemote(null, { name: 'no', url: 'https://10.0.0.1:8443' })).toContain('"no":');
  });

  test('a missing config.yml starts from lxc\'s defaults, so the local remote keeps working', () => {
    expect([...remotesIn(withRemote(null, { name: 'h1', url: 'https://10.0.0.1:8443' })).keys()].sort()).toEqual(['h1', 'images', 'local']);
  });

  test('config.yml that does not parse is an error, not an empty config', () => {
    expect(() => remotesIn('remotes: [unclosed')).toThrow(/does not parse/);
  });

  test('config dirs: deb under ~/.config/lxc, snap under ~/snap/lxd/common/config', () => {
    expect(configDirOf('/root', 'deb')).toBe('/root/.config/lxc');
    expect(configDirOf('/var/lib/nova/', 'snap')).toBe('/var/lib/nova/snap/lxd/common/config');
  });

  test('passwd lines give uid, gid and home', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\nnova:x:64060:64060::/var/lib/nova:/bin/false\n').get('nova')).toEqual({ name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' });
  });
});

describe('the file store (in a temp dir)', () => {
  let root: string;
  let store: FsClientConfigStore;
  const me: LocalUser = { name: 'nova', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, home: '/var/lib/nova' };
  const dir = (): string => join(root, 'var/lib/nova/.config/lxc');
  const remote = { name: 'juju-host-1', url: 'https://10.0.0.11:8443', pinnedCert: serverCertOf(1), peer: 'lxd/1' };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mig-cc-'));
    mkdirSync(join(root, 'var/lib/nova'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/bash\nnova:x:${me.uid}:${me.gid}::/var/lib/nova:/bin/false\n`);
    store = new FsClientConfigStore({ root, packaging: 'deb' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('write → read round trip: managed with its pin, the operator\'s remotes foreign and untouched', async () => {
    mkdirSync(dir(), { recursive: true });
    writeFileSync(join(dir(), 'config.yml'), OPERATOR_CONFIG);
    await store.writeRemote(me, remote);
    const seen = await store.read(me);
    expect([...seen.managed.values()]).toEqual([{ name: 'juju-host-1', url: 'https://10.0.0.11:8443', pinnedCert: serverCertOf(1), peer: 'lxd/1' }]);
    expect([...seen.foreign].sort()).toEqual(['images', 'local', 'prod']);
    expect(readFileSync(join(dir(), 'servercerts/juju-host-1.crt'), 'utf8')).toBe(serverCertOf(1));
    await store.removeRemote(me, 'juju-host-1');
    expect(readFileSync(join(dir(), 'config.yml'), 'utf8')).toBe(OPERATOR_CONFIG);
    expect(existsSync(join(dir(), 'servercerts/juju-host-1.crt'))).toBe(false);
    expect((await store.read(me)).managed.size).toBe(0);
  });

  test('files and directories get safe modes, and the directories are made when missing', async () => {
    await store.writeRemote(me, remote);
    expect(lstatSync(dir()).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dir(), 'servercerts')).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dir(), 'config.yml')).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(dir(), 'servercerts/juju-host-1.crt')).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(dir(), MARKER_FILE)).uid).toBe(me.uid);
  });

  test('the operator\'s remote of the same name is neither overwritten nor removed', async () => {
    mkdirSync(dir(), { recursive: true });
    writeFileSync(join(dir(), 'config.yml'), OPERATOR_CONFIG);
    await expect(store.writeRemote(me, { ...remote, name: 'prod' })).rejects.toThrow(ClientConfigError);
    await store.removeRemote(me, 'prod');
    expect(readFileSync(join(dir(), 'config.yml'), 'utf8')).toBe(OPERATOR_CONFIG);
  });

  test('a remote the operator removed by hand is no longer reported as managed (so it is re-added)', async () => {
    await store.writeRemote(me, remote);
    writeFileSync(join(dir(), 'config.yml'), withoutRemote(readFileSync(join(dir(), 'config.yml'), 'utf8'), 'juju-host-1'));
    expect((await store.read(me)).managed.size).toBe(0);
  });

  test('a symlink planted in the user\'s config path is refused, and nothing is written through it', async () => {
    const target = join(root, 'elsewhere');
    mkdirSync(target);
    mkdirSync(join(root, 'var/lib/nova/.config'), { recursive: true });
    symlinkSync(target, dir());
    await expect(store.writeRemote(me, remote)).rejects.toThrow(/symlink/);
    expect(existsSync(join(target, 'config.yml'))).toBe(false);
  });

  test('a config.yml that is a symlink is not read or replaced', async () => {
    mkdirSync(dir(), { recursive: true });
    writeFileSync(join(root, 'shadow'), 'secret');
    symlinkSync(join(root, 'shadow'), join(dir(), 'config.yml'));
    await expect(store.writeRemote(me, remote)).rejects.toThrow(/symlink/);
    expect(readFileSync(join(root, 'shadow'), 'utf8')).toBe('secret');
  });

  test('a name that could escape servercerts/ is refused before any file is touched', async () => {
    await expect(store.writeRemote(me, { ...remote, name: '../../x' })).rejects.toThrow(ClientConfigError);
    expect(existsSync(dir())).toBe(false);
  });

  test('a missing home is an error naming the user', async () => {
    await expect(store.writeRemote({ ...me, home: '/nonexistent' }, remote)).rejects.toThrow(/nova.*home directory does not exist/);
  });

  test('users resolve from passwd under the root prefix', async () => {
    expect(await store.users(['nova', 'ghost'])).toEqual({ found: [{ name: 'nova', uid: me.uid, gid: me.gid, home: '/var/lib/nova' }], missing: ['ghost'] });
  });

  const asRoot = (name: string, fn: () => Promise<void>): void => testWith([asRootUser], name, fn);
  asRoot('as root, files end up owned by the user, not by root', async () => {
    const nova = { ...me, uid: 64060, gid: 64061 };
    await store.writeRemote(nova, remote);
    for (const path of [dir(), join(dir(), 'config.yml'), join(dir(), 'servercerts/juju-host-1.crt'), join(dir(), MARKER_FILE)]) {
      expect([lstatSync(path).uid, lstatSync(path).gid]).toEqual([64060, 64061]);
    }
  });

  asRoot('as root, a directory owned by another user is refused', async () => {
    mkdirSync(dir(), { recursive: true });
    const { chownSync } = await import('node:fs');
    chownSync(dir(), 12345, 12345);
    chmodSync(dir(), 0o700);
    await expect(store.writeRemote(me, remote)).rejects.toThrow(/owned by uid 12345/);
  });
});
