// The lxd-migration wiring of the PACKED charm (build/lxd.charm, `npm run pack`) on the emulator: three
// namespace machines, each with its own real LXD 5.0.2, the nova-compute stand-in bringing the nova
// user, and the lxd subordinate. Proves what an operator sees: pinned remotes for root and nova, `lxc
// info` and `lxc move` across them, departures and arrivals, hostile records refused. Root only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, Model } from 'juju-emulator';
import { MACHINE_ENV as ENV, deployMesh, unitShell } from './helpers/units';
import { describeWith, packedCharmOnEmulator } from './helpers/requirements';

jest.setTimeout(1_500_000);

const root = path.join(__dirname, '..', '..');
const charm = path.join(root, 'build', 'lxd.charm');

interface Remote {
  readonly Addr: string;
}

describeWith(packedCharmOnEmulator, 'lxd-migration wiring on the packed charm, real LXD', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mig-e2e-'));
  let model: Model;
  const hostnames = new Map<string, string>();

  const shell = unitShell(() => model);
  const { sh, ok, settle, lxdUnits, statusOf } = shell;
  const remotesOf = async (unit: string, user: string): Promise<Record<string, Remote>> => JSON.parse(await ok(unit, 'lxc remote list --format json', user)) as Record<string, Remote>;
  const trustNames = async (unit: string): Promise<string[]> => (await ok(unit, 'lxc config trust list --format csv')).split('\n').filter(Boolean).map((l) => l.split(',')[1] ?? '');
  const learnHostnames = async (): Promise<void> => {
    for (const unit of lxdUnits()) if (!hostnames.has(unit)) hostnames.set(unit, (await ok(unit, 'hostname')).trim());
  };

  /** every unit has, for root and nova, a pinned remote to every other unit, and `lxc info` works through it */
  const expectFullMesh = async (): Promise<void> => {
    const units = lxdUnits();
    for (const unit of units) {
      expect(statusOf(unit)).toEqual({ status: 'active', message: expect.stringContaining(`${units.length - 1}/${units.length - 1} peers wired`) });
      for (const user of ['root', 'nova']) {
        const remotes = await remotesOf(unit, user);
        const dir = user === 'root' ? '/root/.config/lxc' : '/var/lib/nova/.config/lxc';
        for (const peer of units.filter((u) => u !== unit)) {
          const name = hostnames.get(peer) ?? '?';
          expect(remotes[name]?.Addr).toMatch(/^https:\/\/[0-9.]+:8443$/);
          // pinned: the certificate file is the peer's server certificate
          const pinned = await ok(unit, `openssl x509 -noout -fingerprint -sha256 -in ${dir}/servercerts/${name}.crt`);
          const served = await ok(peer, 'openssl x509 -noout -fingerprint -sha256 -in /var/lib/lxd/server.crt');
          expect(pinned).toBe(served);
          expect(await ok(unit, `lxc info ${name}: | grep -c server_name`, user)).toMatch(/1/);
        }
      }
      // what nova-lxd dials, https://<host name>: each peer's name resolves to the address it publishes
      const bags = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd-migration')?.unitBags ?? {};
      for (const peer of units.filter((u) => u !== unit)) {
        expect((await ok(unit, `getent hosts ${hostnames.get(peer) ?? '?'}`)).trim().split(/\s+/)).toEqual([bags[peer]?.address, hostnames.get(peer)]);
      }
    }
  };

  beforeAll(async () => {
    model = await Model.create({ name: `mig-e2e-${process.pid}`, backend: 'namespace', home });
    await deployMesh(model, charm, 3, shell);
    await learnHostnames();
  });

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test('after settle on 3 units, root and nova have a pinned remote for each other unit, and lxc info works as both', async () => {
    await expectFullMesh();
    // each unit trusts each peer's client certificates under the charm's names, nothing else of ours
    for (const unit of lxdUnits()) {
      const names = (await trustNames(unit)).filter((n) => n.startsWith('juju-lxd-')).sort();
      const expected = lxdUnits().filter((u) => u !== unit).flatMap((u) => [`juju-${u.replace('/', '-')}-nova`, `juju-${u.replace('/', '-')}-root`]).sort();
      expect(names).toEqual(expected);
    }
    // each unit wrote its own lxd-migration bag at most twice from deploy to the full mesh (the charm
    // logs each write: "publish <keys> on lxd-migration")
    const writes = Object.fromEntries(lxdUnits().map((unit) => [unit, model.debugLog(unit).split('\n').filter((l) => / publish .* on lxd-migration$/.test(l)).length]));
    console.log(`lxd-migration bag writes per unit, deploy to full mesh: ${JSON.stringify(writes)}`);
    for (const count of Object.values(writes)) expect(count).toBeLessThanOrEqual(2);
  });

  test('a stopped busybox container moves from unit 0 to unit 1 as nova, and is copied back', async () => {
    const tarball = await buildBusyboxImage(path.join(home, 'image'));
    await ok('lxd/0', `lxc image import ${tarball} --alias busybox`);
    await ok('lxd/0', 'lxc init busybox mig1', 'nova');
    const peer = hostnames.get('lxd/1') ?? '?';
    await ok('lxd/0', `lxc move mig1 ${peer}:mig1`, 'nova');
    expect(await ok('lxd/1', 'lxc list --format csv -c ns')).toContain('mig1,STOPPED');
    expect(await ok('lxd/0', 'lxc list --format csv -c n')).not.toContain('mig1');
    await ok('lxd/0', `lxc copy ${peer}:mig1 mig1`, 'nova');
    expect(await ok('lxd/0', 'lxc list --format csv -c ns')).toContain('mig1,STOPPED');
    expect(await ok('lxd/1', 'lxc list --format csv -c n')).toContain('mig1');
  });

  test('hostile peer records are refused, named in the log, and the other peers stay wired', async () => {
    const relation = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd-migration');
    if (!relation) throw new Error('no peer relation in the model');
    const honest = { ...relation.unitBags['lxd/1'] };
    // lxd/1's bag, written as a hostile unit would: an option for a hostname, a shell address, a fake cert
    model.writeUnitBag('lxd/1', 'lxd-migration', { ...honest, hostname: '--help', address: '10.0.0.1;rm -rf /', 'server-cert': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });
    await settle();
    for (const unit of ['lxd/0', 'lxd/2']) {
      const log = model.debugLog(unit);
      expect(log).toMatch(/peer lxd\/1 refused: hostname "--help" is not a valid remote name/);
      expect(log).toMatch(/address "10\.0\.0\.1;rm -rf \/" is not an IPv4 or IPv6 address/);
      expect(statusOf(unit).message).toMatch(/1\/1 peers wired, refused: lxd\/1/);
      // the honest peer is still reachable, and what was wired for lxd/1 is left as it was
      const other = hostnames.get(unit === 'lxd/0' ? 'lxd/2' : 'lxd/0') ?? '?';
      expect(await ok(unit, `lxc info ${other}: | grep -c server_name`, 'nova')).toMatch(/1/);
      expect(Object.keys(await remotesOf(unit, 'nova'))).toContain(hostnames.get('lxd/1'));
    }
    // lxd/1 publishes its honest record again: the mesh is whole again
    model.writeUnitBag('lxd/1', 'lxd-migration', honest);
    await settle();
    const after = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd-migration');
    expect(after?.unitBags['lxd/1']?.hostname).toBe(honest.hostname);
    await expectFullMesh();
  });

  test('a peer that speaks only the legacy keys is wired both ways by trust password', async () => {
    const relation = (): { unitBags: Record<string, Record<string, string>> } => {
      const found = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd-migration');
      if (!found) throw new Error('no peer relation in the model');
      return found;
    };
    const legacyHost = hostnames.get('lxd/1') ?? '?';
    const honest = { ...relation().unitBags['lxd/1'] };
    const address = honest.address ?? '?';
    // lxd/1 plays the OpenStack charm: a trust password in LXD and only the legacy keys in its bag;
    // lxd/0 forgets what it had for lxd/1 and lxd/1 forgets lxd/0's clients, so only the password can join
    await ok('lxd/1', 'lxc config set core.trust_password e2e-legacy-pw-0123456789');
    for (const name of ['juju-lxd-0-root', 'juju-lxd-0-nova']) {
      const fingerprint = (await ok('lxd/1', `lxc config trust list --format csv | awk -F, '$2 == "${name}" { print $4 }'`)).trim();
      if (fingerprint) await ok('lxd/1', `lxc config trust remove ${fingerprint}`);
    }
    for (const user of ['root', 'nova']) await ok('lxd/0', `lxc remote remove ${legacyHost}`, user);
    expect((await sh('lxd/0', `lxc info ${legacyHost}:`, 'nova')).exitCode).not.toBe(0);
    model.writeUnitBag('lxd/1', 'lxd-migration', { 'private-address': address, 'ingress-address': address, password: 'e2e-legacy-pw-0123456789', hostname: legacyHost, address, pool: 'lxd' });
    const report = await model.settle({ units: ['lxd/0'] });
    expect(report.failed).toEqual([]);

    // this side: joined by password, the certificate seen during the join pinned, for root and nova
    expect(model.debugLog('lxd/0')).toMatch(new RegExp(`join legacy peer lxd/1 as remote ${legacyHost}`));
    for (const user of ['root', 'nova']) expect(await ok('lxd/0', `lxc info ${legacyHost}: | grep -c server_name`, user)).toMatch(/1/);
    const pinned = await ok('lxd/0', `openssl x509 -noout -fingerprint -sha256 -in /var/lib/nova/.config/lxc/servercerts/${legacyHost}.crt`);
    expect(pinned).toBe(await ok('lxd/1', 'openssl x509 -noout -fingerprint -sha256 -in /var/lib/lxd/server.crt'));
    // the other side: lxd/0 publishes the legacy keys while a legacy peer is present, and they work the legacy way
    const published = relation().unitBags['lxd/0'] ?? {};
    expect(published.password).toMatch(/^.{16,}$/);
    expect(published.pool).toBe('lxd');
    const legacyAdd = `d=$(mktemp -d) && LXD_CONF=$d lxc remote add legacy0 https://${published.address ?? '?'}:8443 --password "$PW" --accept-certificate && LXD_CONF=$d lxc info legacy0: | grep -c server_name; rc=$?; rm -rf "$d"; exit $rc`;
    const joined = await model.exec('lxd/1', ['sh', '-c', legacyAdd], { env: { ...ENV, PW: published.password ?? '' }, timeoutMs: 60_000 });
    // a fresh client: only the published password can have made lxd/0 trust it
    expect({ exit: joined.exitCode, out: joined.stdout.trim() }).toEqual({ exit: 0, out: 'Client certificate now trusted by server: legacy0\n1' });

    // lxd/1 is itself again (it trusts lxd/0's clients after its full check; its record is current):
    // the legacy keys disappear from lxd/0's bag, the mesh is whole
    model.writeUnitBag('lxd/1', 'lxd-migration', honest);
    model.updateStatus(['lxd/1']);
    await settle();
    expect(relation().unitBags['lxd/0']?.password ?? '').toBe('');
    await expectFullMesh();
  });

  test('removing unit 2 removes its remotes and trust on every remaining unit', async () => {
    const gone = hostnames.get('lxd/2') ?? '?';
    model.removeUnit('nova-compute/2');
    await settle();
    expect(lxdUnits()).toEqual(['lxd/0', 'lxd/1']);
    for (const unit of lxdUnits()) {
      for (const user of ['root', 'nova']) expect(Object.keys(await remotesOf(unit, user))).not.toContain(gone);
      expect(await ok(unit, 'cat /etc/hosts')).not.toContain(gone);
      expect((await trustNames(unit)).filter((n) => n.startsWith('juju-lxd-2-'))).toEqual([]);
    }
    await expectFullMesh();
  });

  test('an added unit is wired to all within one settle', async () => {
    const started = Date.now();
    await model.addUnit('nova-compute');
    const hooks = await settle();
    console.log(`unit added: wired in one settle of ${((Date.now() - started) / 1000).toFixed(1)} s, ${hooks} hooks`);
    await learnHostnames();
    expect(lxdUnits()).toHaveLength(3);
    await expectFullMesh();
  });
});
