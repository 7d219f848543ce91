// Host configuration through the charm's real event table and FakeJuju (Juju's rules, commit on
// success): state in → event → state out, and the same hook again writes nothing anywhere.
import { aUnit } from '../builders/juju-state';
import { runAction, runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

const novaRelation = { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } };

function world(juju: FakeJuju, host = new FakeHost({ modules: ['netlink_diag'], ext4Userns: true }), lxd = new FakeLxd()) {
  return { juju, host, lxd };
}

/** Everything the next hook writes: hook tools, LXD, host commands. */
async function writesOf(w: ReturnType<typeof world>, hook: string): Promise<string[]> {
  const before = { juju: w.juju.writes.length, statuses: w.juju.statuses.length, lxd: w.lxd.writes.length, host: w.host.actions.length };
  const { exitCode } = await runHook(hook, w);
  expect(exitCode).toBe(0);
  return [
    ...w.juju.writes.slice(before.juju),
    ...w.juju.statuses.slice(before.statuses).map((s) => `status-set ${s.status}`),
    ...w.lxd.writes.slice(before.lxd),
    ...w.host.actions.slice(before.host),
  ];
}

test('config-changed turns a fresh unit into an LXD host, then config-changed again writes nothing', async () => {
  const w = world(new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false, 'block-devices': '/srv/a.img|1G /srv/b.img|1G' }).withPeerRelation()));
  expect(await writesOf(w, 'config-changed')).not.toEqual([]);
  expect(w.juju.unitStatus).toEqual({ status: 'active', message: 'Unit is ready (lvm pool lxd on 2 devices, bridge lxdbr0 10.100.0.1/24, listening 10.0.0.5:8443, trust: password+token)' });
  expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/loop0', '/dev/loop1']);
  expect(w.juju.state.workloadVersion).toBe('5.0.2');
  expect(w.juju.state.secrets).toHaveLength(1);
  expect(w.juju.state.charmState['trust-secret-id']).toBe(w.juju.state.secrets[0]?.id);

  expect(await writesOf(w, 'config-changed')).toEqual([]);
  expect(await writesOf(w, 'update-status')).toEqual([]);
  expect(await writesOf(w, 'upgrade-charm')).toEqual([]);
});

test("lxd-relation-changed: nova's user joins group lxd, pool and nonce are published, and a rerun publishes nothing", async () => {
  const w = world(new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).withRelation('lxd', novaRelation)));
  await runHook('lxd-relation-changed', w);
  expect(w.host.groups.get('lxd')).toEqual(['nova']);
  const relation = w.juju.state.relations.find((r) => r.endpoint === 'lxd');
  expect(relation?.localUnit).toMatchObject({ pool: 'lxd', nonce: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  expect(await writesOf(w, 'lxd-relation-changed')).toEqual([]);
});

test('invalid config: blocked naming every bad option; nothing on the host or in LXD changes', async () => {
  const w = world(new FakeJuju(aUnit().withConfig({ 'storage-type': 'nfs', 'https-port': 0 })));
  await runHook('config-changed', w);
  expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'invalid config: storage-type must be one of lvm, btrfs, zfs, dir; https-port must be >= 1' });
  expect(w.lxd.writes).toEqual([]);
  expect(w.host.actions).toEqual([]);
});

test('install is a no-op when the packages are present; config-changed follows as Juju orders it', async () => {
  const w = world(new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false })));
  await runHook('install', w);
  expect(w.host.actions).toEqual([]);
  await runHook('config-changed', w);
  expect(w.juju.unitStatus.status).toBe('active');
});

test('show-config reports the desired document and "none" once converged', async () => {
  const juju = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).runningAction('show-config'));
  const w = world(juju);
  await runHook('config-changed', w);
  const { exitCode } = await runAction('show-config', w);
  expect(exitCode).toBe(0);
  expect(w.juju.state.action?.results).toMatchObject({ differences: 'none: the host is as desired', 'trust-methods': 'password, token', 'lxd-version': '5.0.2' });
});
