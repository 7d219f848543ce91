// The PACKED charm (build/lxd.charm) on snap-shaped emulator machines (Ubuntu 24.04 with the LXD snap,
// emulator/README.md "Snap-shaped machines"), beside the deb tests: nova-compute's real configure_lxd
// on each nonce (`lxc list` as nova, whose home is /var/lib/nova), the mesh of three, a container moved
// as nova, migrate-container user=nova, use-criu through the snap's criu.enable, pause and resume
// through snap stop/start, /var/lib/lxd for nova-lxd. Root only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, Model } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { deployMesh, unitShell } from './helpers/units';

jest.setTimeout(1_500_000);

interface Remote {
  readonly Addr: string;
}

describe('the packed charm on snap-shaped machines, real LXD', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'snap-e2e-'));
  let model: Model;
  const hostnames = new Map<string, string>();
  const shell = unitShell(() => model);
  const { sh, ok, settle, lxdUnits, statusOf } = shell;
  const remotesOf = async (unit: string, user: string): Promise<Record<string, Remote>> => JSON.parse(await ok(unit, 'lxc remote list --format json', user)) as Record<string, Remote>;
  const serverPid = async (unit: string): Promise<number> => (JSON.parse(await ok(unit, 'lxc query /1.0')) as { environment: { server_pid: number } }).environment.server_pid;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the snap e2e tests need root (namespaces, LXD daemons)');
    const charm = ensurePackedCharm();
    model = await Model.create({ name: `snap-e2e-${process.pid}`, backend: 'namespace', home });
    await deployMesh(model, charm, 3, shell, {}, 'snap').catch((err: unknown) => {
      console.log(model.debugLog('lxd/0').slice(-6000));
      throw err;
    });
    for (const unit of lxdUnits()) hostnames.set(unit, (await ok(unit, 'hostname')).trim());
  });

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test("snap: deploy with nova-compute's real check: no hook error, each nova-compute restarted once, lxc works as nova", async () => {
    for (const unit of lxdUnits()) {
      const nova = unit.replace('lxd/', 'nova-compute/');
      expect(statusOf(nova)).toEqual({ status: 'active', message: 'nova-compute ready (restarts: 1)' });
      expect(await ok(unit, 'snap get system homedirs')).toBe('/var/lib\n');
      expect(await ok(unit, 'getent passwd nova | cut -d: -f6')).toBe('/var/lib/nova\n');
      expect(await sh(unit, 'lxc list --format csv', 'nova')).toMatchObject({ exitCode: 0, stderr: '' });
      expect(statusOf(unit).status).toBe('active');
    }
  });

  test("snap: /var/lib/lxd is a link to the snap's data, so nova-lxd's statvfs and socket look-up work", async () => {
    expect(await ok('lxd/0', 'readlink /var/lib/lxd')).toBe('/var/snap/lxd/common/lxd\n');
    await ok('lxd/0', 'test -S /var/lib/lxd/unix.socket');
    expect(await ok('lxd/0', 'stat -f -c %i /var/lib/lxd/')).toBe(await ok('lxd/0', 'stat -f -c %i /var/snap/lxd/common/lxd/'));
  });

  test('snap: mesh of three: root and nova have a pinned remote for each peer in the snap client config, lxc info works', async () => {
    const units = lxdUnits();
    for (const unit of units) {
      expect(statusOf(unit)).toEqual({ status: 'active', message: expect.stringContaining(`${units.length - 1}/${units.length - 1} peers wired`) });
      for (const user of ['root', 'nova']) {
        const remotes = await remotesOf(unit, user);
        const dir = user === 'root' ? '/root/snap/lxd/common/config' : '/var/lib/nova/snap/lxd/common/config';
        for (const peer of units.filter((u) => u !== unit)) {
          const name = hostnames.get(peer) ?? '?';
          expect(remotes[name]?.Addr).toMatch(/^https:\/\/[0-9.]+:8443$/);
          const pinned = await ok(unit, `openssl x509 -noout -fingerprint -sha256 -in ${dir}/servercerts/${name}.crt`);
          expect(pinned).toBe(await ok(peer, 'openssl x509 -noout -fingerprint -sha256 -in /var/snap/lxd/common/lxd/server.crt'));
          expect(await ok(unit, `lxc info ${name}: | grep -c server_name`, user)).toMatch(/1/);
        }
      }
    }
  });

  test("snap: nova's one client certificate is where the snap's lxc, the deb's lxc and pylxd (old and current) look", async () => {
    for (const unit of lxdUnits()) {
      // old pylxd reads ~/snap/lxd/current/.config/lxc only where a client.crt is there, else ~/.config/lxc:
      // the charm fills it once snapd made the revision directory; a certificate there is never another one
      const rev = (await ok(unit, 'readlink /var/lib/nova/snap/lxd/current')).trim();
      const places = ['/var/lib/nova/snap/lxd/common/config', '/var/lib/nova/.config/lxc', `/var/lib/nova/snap/lxd/${rev}/.config/lxc`];
      const sums = await ok(unit, places.map((d, i) => `${i < 2 ? '' : `[ -e ${d}/client.crt ] && `}{ sha256sum < ${d}/client.crt; sha256sum < ${d}/client.key; }`).join('; ') + '; true');
      const lines = sums.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(4);
      expect(new Set(lines.filter((_, i) => i % 2 === 0)).size).toBe(1);
      expect(new Set(lines.filter((_, i) => i % 2 === 1)).size).toBe(1);
      // the deb's lxc (no snap wrapper) sees the same remotes
      const deb = JSON.parse(await ok(unit, 'LXD_CONF=/var/lib/nova/.config/lxc /usr/bin/lxc remote list --format json', 'nova')) as Record<string, Remote>;
      const snap = await remotesOf(unit, 'nova');
      expect(Object.keys(deb).sort()).toEqual(Object.keys(snap).sort());
    }
  });

  test('snap: a stopped busybox container moves from unit 0 to unit 1 as nova', async () => {
    const tarball = await buildBusyboxImage(path.join(home, 'image'));
    await ok('lxd/0', `lxc image import ${tarball} --alias busybox`);
    await ok('lxd/0', 'lxc init busybox snapmv1', 'nova');
    const peer = hostnames.get('lxd/1') ?? '?';
    await ok('lxd/0', `lxc move snapmv1 ${peer}:snapmv1`, 'nova');
    expect(await ok('lxd/1', 'lxc list snapmv1 --format csv -c n')).toBe('snapmv1\n');
    expect(await ok('lxd/0', 'lxc list snapmv1 --format csv -c n')).toBe('');
  });

  test('snap: migrate-container user=nova moves a stopped container through nova\'s snap remote', async () => {
    await ok('lxd/0', 'lxc init busybox snapmv2', 'nova');
    const result = await model.run('lxd/0', 'migrate-container', { container: 'snapmv2', to: 'lxd/2', user: 'nova' });
    expect(result).toMatchObject({ status: 'completed' });
    expect(await ok('lxd/2', 'lxc list snapmv2 --format csv -c n')).toBe('snapmv2\n');
  });

  test('snap: use-criu=true sets the snap option criu.enable and reloads the daemon, once; no criu deb', async () => {
    const before = await serverPid('lxd/0');
    expect(model.config('lxd', { 'use-criu': true })).toBe(true);
    await settle();
    expect(await ok('lxd/0', 'snap get lxd criu.enable')).toBe('true\n');
    const after = await serverPid('lxd/0');
    expect(after).not.toBe(before);
    expect(model.debugLog('lxd/0')).not.toMatch(/apt-get install[^\n]*criu/);
    for (const unit of lxdUnits()) expect(statusOf(unit).status).toBe('active');
    // the next hook does not reload again
    model.updateStatus(['lxd/0']);
    await settle();
    expect(await serverPid('lxd/0')).toBe(after);
  });

  test('snap: pause and resume go through snap stop and snap start', async () => {
    const paused = await model.run('lxd/1', 'pause', { force: true });
    expect(paused).toMatchObject({ status: 'completed' });
    expect(await ok('lxd/1', 'snap services lxd')).toMatch(/lxd\.daemon\s+enabled\s+inactive/);
    expect(statusOf('lxd/1')).toEqual({ status: 'maintenance', message: "Paused. Use 'resume' action to resume normal service." });
    const resumed = await model.run('lxd/1', 'resume');
    expect(resumed).toMatchObject({ status: 'completed' });
    expect(await ok('lxd/1', 'snap services lxd')).toMatch(/lxd\.daemon\s+enabled\s+active/);
    expect(statusOf('lxd/1').status).toBe('active');
  });
});
