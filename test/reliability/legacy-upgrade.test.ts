// upgrade-charm from the legacy OpenStack lxd charm (openstack-archive/charm-lxd), real LXD: two units
// carry what its hooks left (its pool juju_lxd made with `lxc storage create juju_lxd btrfs
// source=<loop device>` on its loop file, core.trust_password from its kv store, the lxd-migration keys
// password/hostname/address/pool, the nonce on lxd, remotes added with `lxc remote add <hostname>
// --password` as root and nova). The stand-in charm here has the legacy metadata and config and no hooks:
// the test does what those hooks did. Then `juju refresh --config storage-pool=juju_lxd` to this charm.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { builtinCharm, Model } from 'juju-emulator';
import { unitShell } from '../e2e/helpers/units';
import { packedCharmPath, whyNotRunnable } from './helpers/mesh';

const FILE = '/var/lib/lxd/legacy-lxd.img';
const UNITS = ['lxd/0', 'lxd/1'];
const whyNot = whyNotRunnable();
const home = whyNot ? '' : mkdtempSync(path.join(os.tmpdir(), 'rel-legacy-'));
let model: Model;
const shell = unitShell(() => model);
/** what the legacy charm generated (pwgen, 16 characters) and kept in its kv store as lxd-password */
const passwords = new Map(UNITS.map((u) => [u, randomBytes(12).toString('base64url').slice(0, 16)]));
const hostnames = new Map<string, string>();
const addresses = new Map<string, string>();

/** The legacy charm's metadata and options, no hooks. */
function legacyCharm(): string {
  const dir = path.join(home, 'legacy-lxd');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'metadata.yaml'),
    'name: lxd\nsummary: legacy OpenStack lxd charm (stand-in)\ndescription: its metadata; what its hooks did, the test does\nsubordinate: true\n' +
      'provides:\n  lxd:\n    interface: containers\n    scope: container\nrequires:\n  container:\n    interface: juju-info\n    scope: container\n' +
      'peers:\n  lxd-migration:\n    interface: lxd-migration\n',
  );
  writeFileSync(path.join(dir, 'config.yaml'), 'options:\n  block-devices:\n    type: string\n    default: ""\n    description: devices\n  storage-type:\n    type: string\n    default: btrfs\n    description: type\n  overwrite:\n    type: boolean\n    default: false\n    description: wipe\n');
  writeFileSync(path.join(dir, 'manifest.yaml'), 'bases:\n  - name: ubuntu\n    channel: "22.04"\n    architectures: [amd64]\n');
  return dir;
}

async function remotesTo(unit: string, user: string, address: string): Promise<string[]> {
  const remotes = JSON.parse(await shell.ok(unit, 'lxc remote list --format json', user)) as Record<string, { Addr: string }>;
  return Object.entries(remotes).filter(([, r]) => r.Addr.includes(`//${address}:`)).map(([name, r]) => `${name} ${r.Addr}`);
}

if (whyNot) {
  (process.env.CI === 'true' ? test : test.skip)(`legacy upgrade on real LXD: ${whyNot}`, () => {
    throw new Error(whyNot);
  });
} else {
  beforeAll(async () => {
    model = await Model.create({ name: `rel-legacy-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 2, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd', legacyCharm(), { config: { 'storage-type': 'btrfs', 'block-devices': `${FILE}|1G` } });
    model.relate('lxd', 'nova-compute');
    await shell.settle();
    for (const unit of UNITS) {
      hostnames.set(unit, (await shell.ok(unit, 'hostname')).trim());
      addresses.set(unit, (await shell.ok(unit, "ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1")).trim());
    }
    // what the legacy hooks did on each unit: config-changed, then lxd-migration-relation-joined/-changed, lxd-relation-changed
    for (const unit of UNITS) {
      await shell.ok(unit, `truncate -s 1G ${FILE} && dev=$(losetup --find --show ${FILE}) && lxc storage create juju_lxd btrfs source=$dev`);
      await shell.ok(unit, `lxc config set core.trust_password ${passwords.get(unit)} && lxc config set core.https_address '[::]' && gpasswd -a nova lxd >/dev/null`);
      await shell.ok(unit, 'lxc storage volume create juju_lxd legacy-marker');
      model.writeUnitBag(unit, 'lxd-migration', { password: passwords.get(unit) ?? '', hostname: hostnames.get(unit) ?? '', address: addresses.get(unit) ?? '', pool: 'lxd' });
      model.writeUnitBag(unit, 'lxd', { nonce: randomUUID() });
    }
    for (const unit of UNITS) {
      const peer = UNITS.find((u) => u !== unit) ?? '';
      for (const user of ['root', 'nova']) await shell.ok(unit, `lxc remote add ${hostnames.get(peer)} https://${addresses.get(peer)}:8443 --accept-certificate --password=${passwords.get(peer)}`, user);
    }
    // the stand-in runs no hook: the bag writes above queue only hooks that skip
    await shell.settle();
  }, 900_000);

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }, 300_000);
}

(whyNot ? describe.skip : describe)('legacy upgrade', () => {
  test('upgrade-charm from the legacy lxd charm keeps its pool juju_lxd (and what is in it), its remotes and its trust password; both units end wired', async () => {
    const poolBefore = await Promise.all(UNITS.map(async (u) => JSON.parse(await shell.ok(u, 'lxc query /1.0/storage-pools/juju_lxd')) as { config: Record<string, string> }));
    model.upgrade('lxd', packedCharmPath);
    // juju refresh lxd --config storage-pool=juju_lxd: the pool the legacy charm named
    expect(model.config('lxd', { 'storage-pool': 'juju_lxd' })).toBe(true);
    await model.settle({ retryFailedHooks: 3 });
    const errored = UNITS.filter((u) => model.state.units[u]?.erroredEvent);
    expect(errored.map((u) => `${u}\n${model.debugLog(u).slice(-3000)}`)).toEqual([]);

    for (const [i, unit] of UNITS.entries()) {
      const peer = UNITS.find((u) => u !== unit) ?? '';
      expect(shell.statusOf(unit)).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready \(btrfs pool juju_lxd .*1\/1 peers wired/) });
      // the pool: the same one, nothing new made, its volume still there
      const pool = JSON.parse(await shell.ok(unit, 'lxc query /1.0/storage-pools/juju_lxd')) as { driver: string; status: string; config: Record<string, string> };
      expect(pool).toMatchObject({ driver: 'btrfs', status: 'Created', config: poolBefore[i]?.config });
      expect((await shell.ok(unit, 'lxc storage list --format csv | cut -d, -f1')).trim()).toBe('juju_lxd');
      expect(await shell.ok(unit, 'lxc storage volume list juju_lxd --format csv -c n')).toContain('legacy-marker');
      expect(JSON.parse(await shell.ok(unit, 'lxc query /1.0/profiles/default'))).toMatchObject({ devices: { root: { pool: 'juju_lxd' } } });
      expect((await shell.ok(unit, `losetup -j ${FILE} -O NAME -n`)).trim().split('\n')).toHaveLength(1);
      // the remotes: still one per peer for root and nova, under the legacy name (the peer's host name)
      for (const user of ['root', 'nova']) expect(await remotesTo(unit, user, addresses.get(peer) ?? '?')).toEqual([`${hostnames.get(peer)} https://${addresses.get(peer)}:8443`]);
      // the password: LXD still takes the one the legacy charm set, and the charm keeps it in its secret
      const secret = Object.values(model.state.secrets).find((s) => s.owner.name === unit);
      expect(secret?.revisions.at(-1)?.content).toEqual({ password: passwords.get(unit) });
    }
    for (const unit of UNITS) {
      const peer = UNITS.find((u) => u !== unit) ?? '';
      const joined = await shell.sh(unit, `conf=$(mktemp -d) && LXD_CONF=$conf lxc remote add legacy-check https://${addresses.get(peer)}:8443 --accept-certificate --password=${passwords.get(peer)}; rc=$?; rm -rf "$conf"; exit $rc`);
      expect(joined).toMatchObject({ exitCode: 0 });
    }
  });
});
