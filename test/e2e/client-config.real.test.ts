// The client files the charm writes (config.yml + servercerts pin + client cert) are what the real lxc
// client needs: against a throwaway LXD daemon in its own network and mount namespaces, `lxc info
// <remote>:` works with no prompt, no --accept-certificate and no secret. Root only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../../src/migration/certificates';
import { FsClientConfigStore } from '../../src/migration/fs-client-config';
import { LegacyJoinError, makeLegacyJoiner } from '../../src/migration/legacy-join';
import { LxdTrustStore } from '../../src/migration/lxd-trust-store';
import type { LocalUser } from '../../src/migration/ports';
import { realLxdDaemon, startOwnDaemon, type OwnDaemon } from '../lxd/own-daemon';
import { describeWith, lxcClient } from './helpers/requirements';

const PORT = 8443; // inside the daemon's own network namespace: nothing else listens there

describeWith([...realLxdDaemon, lxcClient], 'lxc accepts the client files the charm writes', () => {
  let daemon: OwnDaemon | undefined;
  let root: string;
  const user: LocalUser = { name: 'root', uid: 0, gid: 0, home: '/home/mig' };
  const confdir = (): string => join(root, 'home/mig/.config/lxc');
  let store: FsClientConfigStore;
  let trust: LxdTrustStore;
  let serverPem: string;
  let proxy: ChildProcess | undefined;

  /** lxc run as the user would, inside the daemon's network namespace, stdin closed (no prompt can be answered). */
  const lxc = (...args: string[]): { code: number | null; out: string } => lxcAs('mig', ...args);
  const lxcAs = (home: string, ...args: string[]): { code: number | null; out: string } => {
    if (!daemon) throw new Error('no daemon');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(root, 'home', home), LXD_CONF: join(root, 'home', home, '.config/lxc') };
    const r = spawnSync('nsenter', [`--net=/proc/${daemon.pid}/ns/net`, 'lxc', ...args], { env, input: '', timeout: 30_000, encoding: 'utf8' });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mig-e2e-'));
    mkdirSync(join(root, 'home/mig'), { recursive: true });
    daemon = await startOwnDaemon('mig-e2e-lxd');
    await daemon.client.patchServerConfig({ 'core.https_address': `127.0.0.1:${PORT}` });
    serverPem = readFileSync(join(daemon.dir, 'server.crt'), 'utf8');
    store = new FsClientConfigStore({ root, packaging: 'deb' });
    trust = new LxdTrustStore(daemon.client);
  }, 120_000);

  afterAll(async () => {
    if (proxy?.pid && proxy.exitCode === null) process.kill(proxy.pid, 'SIGKILL');
    await daemon?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  test('a pinned remote plus a client cert trusted over the unix socket: lxc info works without any prompt', async () => {
    const clientPem = await store.ensureClientCert(user, 'mig-e2e-host');
    const client = parseCertificate(clientPem);
    if (!('ok' in client)) throw new Error(client.error);
    await trust.add('juju-lxd-9-root', client.ok.derBase64);
    await trust.add('juju-lxd-9-root', client.ok.derBase64); // again: already trusted is success
    expect((await trust.list()).filter((t) => t.fingerprint === client.ok.fingerprint)).toEqual([{ name: 'juju-lxd-9-root', fingerprint: client.ok.fingerprint, type: 'client' }]);

    await store.writeRemote(user, { name: 'peer-a', url: `https://127.0.0.1:${PORT}`, pinnedCert: serverPem, peer: 'lxd/9' });
    const info = lxc('info', 'peer-a:');
    expect(info.out).toMatch(/auth: trusted/);
    expect(info.code).toBe(0);
    const list = lxc('remote', 'list', '--format', 'json');
    expect(JSON.parse(list.out.trim())).toHaveProperty('peer-a');
    expect(lxc('list', 'local:').code).not.toBeNull(); // the default remotes are still there for the operator
  });

  test('an IPv6 URL in brackets works the same way', async () => {
    await daemon?.client.patchServerConfig({ 'core.https_address': `[::1]:${PORT}` });
    await store.writeRemote(user, { name: 'peer-a', url: `https://[::1]:${PORT}`, pinnedCert: serverPem, peer: 'lxd/9' });
    const info = lxc('info', 'peer-a:');
    expect(info.out).toMatch(/auth: trusted/);
    await daemon?.client.patchServerConfig({ 'core.https_address': `127.0.0.1:${PORT}` });
    await store.writeRemote(user, { name: 'peer-a', url: `https://127.0.0.1:${PORT}`, pinnedCert: serverPem, peer: 'lxd/9' });
  });

  test('a wrong pin is not silently replaced: lxc fails and the pin file stays as written', async () => {
    const wrong = readFileSync(join(__dirname, '../migration/fixtures/certs.json'), 'utf8');
    const pem = (JSON.parse(wrong) as { certs: string[] }).certs[0] ?? '';
    await store.writeRemote(user, { name: 'peer-b', url: `https://127.0.0.1:${PORT}`, pinnedCert: pem, peer: 'lxd/8' });
    const info = lxc('info', 'peer-b:');
    expect(info.code).not.toBe(0);
    expect(info.out).not.toMatch(/auth: trusted/);
    expect(info.out).toMatch(/x509: certificate signed by unknown authority/); // fails closed: no prompt, no TOFU
    expect(readFileSync(join(confdir(), 'servercerts/peer-b.crt'), 'utf8')).toBe(pem);
  });

  test('revoking the client certificate ends the access', async () => {
    const client = parseCertificate(readFileSync(join(confdir(), 'client.crt'), 'utf8'));
    if (!('ok' in client)) throw new Error(client.error);
    await trust.remove(client.ok.fingerprint);
    await trust.remove(client.ok.fingerprint); // again: already gone is success
    expect((await trust.list()).map((t) => t.fingerprint)).not.toContain(client.ok.fingerprint);
    expect(lxc('info', 'peer-a:').out).toMatch(/auth: untrusted/);
  });

  // The legacy join runs in this process, outside the daemon's namespace: a tiny TCP relay started inside
  // it (killed by pid) carries the bytes over a unix socket. The password goes only in the HTTPS body.
  test('a legacy peer is joined by its trust password, pinned to what the join saw, and lxc then works', async () => {
    if (!daemon) throw new Error('no daemon');
    const password = 'mig-e2e-Pw-7f3a9c';
    await daemon.client.patchServerConfig({ 'core.trust_password': password });
    const relay = join(root, 'relay.sock');
    const code = "const n=require('net');const[p,h,port]=process.argv.slice(1);n.createServer(c=>{const s=n.connect(+port,h);c.pipe(s).pipe(c);c.on('error',()=>s.destroy());s.on('error',()=>c.destroy())}).listen(p,()=>console.log('ready'))";
    proxy = spawn('nsenter', [`--net=/proc/${daemon.pid}/ns/net`, process.execPath, '-e', code, relay, '127.0.0.1', String(PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proxy?.stdout?.once('data', () => resolve());
      proxy?.once('exit', (c) => reject(new Error(`relay exited ${c}`)));
    });
    mkdirSync(join(root, 'home/nova'), { recursive: true });
    const nova: LocalUser = { name: 'nova', uid: 0, gid: 0, home: '/home/nova' };
    const remote = { name: 'legacy-peer', url: `https://127.0.0.1:${PORT}`, pinnedCert: null, peer: 'lxd/7' };
    const joinWith = (pw: string): ReturnType<typeof makeLegacyJoiner> =>
      makeLegacyJoiner({ clients: store, passwords: new Map([['lxd/7', pw]]), hostname: 'mig-e2e-host', connect: () => netConnect(relay) });

    const refused: unknown = await joinWith('wrong-password')(nova, remote).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LegacyJoinError);
    expect(refused).toMatchObject({ status: 403 });
    expect((await store.read(nova)).managed.size).toBe(0);

    await joinWith(password)(nova, remote);
    const pinned = parseCertificate(readFileSync(join(root, 'home/nova/.config/lxc/servercerts/legacy-peer.crt'), 'utf8'));
    const server = parseCertificate(serverPem);
    expect('ok' in pinned && 'ok' in server && pinned.ok.fingerprint === server.ok.fingerprint).toBe(true);
    const info = lxcAs('nova', 'info', 'legacy-peer:');
    expect(info.out).toMatch(/auth: trusted/);
    const novaCert = parseCertificate(readFileSync(join(root, 'home/nova/.config/lxc/client.crt'), 'utf8'));
    expect('ok' in novaCert && (await trust.list()).some((t) => t.fingerprint === novaCert.ok.fingerprint)).toBe(true);
    // joining again is a no-op for the peer: already trusted
    await joinWith('not-even-asked')(nova, remote);
  });
});
