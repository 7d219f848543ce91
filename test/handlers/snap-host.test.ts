// converge on a snap host (Ubuntu, the LXD snap) with FakeJuju, FakeLxd and FakeHost: what nova-compute
// and nova-lxd need there — snapd's homedirs covering nova's home, /var/lib/lxd linked to the snap's
// data, the snap's criu.enable for use-criu — made once, never undone, blocked naming the fix when it
// cannot be made; a second run writes nothing.
import type { ConfigValue } from '../../src/juju/hook-tools';
import { aUnit, type JujuStateBuilder } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost, type FakeHostOptions } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

interface World {
  juju: FakeJuju;
  lxd: FakeLxd;
  host: FakeHost;
}

const withNova = (): JujuStateBuilder => aUnit().withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } });

const snapWorld = (config: Record<string, ConfigValue> = {}, host: FakeHostOptions = {}): World => ({
  juju: new FakeJuju(withNova().withConfig({ 'lvm-thinpool': false, ...config })),
  lxd: new FakeLxd(),
  host: new FakeHost({ os: { id: 'ubuntu', versionId: '24.04' }, snaps: { lxd: '5.21/stable' }, homes: { nova: '/var/lib/nova' }, ...host }),
});

async function run(w: World, hook = 'config-changed'): Promise<void> {
  expect((await runHook(hook, w)).exitCode).toBe(0);
}

async function rerun(w: World): Promise<string[]> {
  const before = { juju: w.juju.writes.length, statuses: w.juju.statuses.length, lxd: w.lxd.writes.length, host: w.host.actions.length };
  await run(w);
  return [
    ...w.juju.writes.slice(before.juju),
    ...w.juju.statuses.slice(before.statuses).map((s) => `status-set ${s.status}`),
    ...w.lxd.writes.slice(before.lxd),
    ...w.host.actions.slice(before.host),
  ];
}

const snapActions = (w: World): string[] => w.host.actions.filter((a) => a.startsWith('snap ') || a.startsWith('ln ') || a.startsWith('reload '));

test("snap host: nova's home /var/lib/nova gets snap set system homedirs=/var/lib and /var/lib/lxd links to the snap's data; then zero writes", async () => {
  const w = snapWorld();
  await run(w);
  expect(snapActions(w)).toEqual(['snap set system homedirs=/var/lib', 'ln -s /var/snap/lxd/common/lxd /var/lib/lxd']);
  expect(w.juju.unitStatus.status).toBe('active');
  expect(await rerun(w)).toEqual([]);
});

test('snap host: homedirs set by hand is kept and extended, never replaced', async () => {
  const w = snapWorld({}, { snapOptions: { 'system homedirs': '/srv/homes' } });
  await run(w);
  expect(w.host.snapOptions.get('system homedirs')).toBe('/srv/homes,/var/lib');
  expect(await rerun(w)).toEqual([]);
});

test('snap host: homedirs that already covers nova (a directory above its home) is left alone', async () => {
  const w = snapWorld({}, { snapOptions: { 'system homedirs': '/var' } });
  await run(w);
  expect(snapActions(w)).toEqual(['ln -s /var/snap/lxd/common/lxd /var/lib/lxd']);
  expect(await rerun(w)).toEqual([]);
});

test('snap host: a home under /home needs no homedirs', async () => {
  const w = snapWorld({}, { homes: { nova: '/home/nova' } });
  await run(w);
  expect(w.host.snapOptions.has('system homedirs')).toBe(false);
});

test('snap host: snapd older than 2.59 blocks, naming the refresh and the command, and sets nothing', async () => {
  const w = snapWorld({}, { snapdVersion: '2.58.3' });
  await run(w);
  expect(w.juju.unitStatus.status).toBe('blocked');
  expect(w.juju.unitStatus.message).toContain('snapd 2.58.3 has no homedirs option');
  expect(w.juju.unitStatus.message).toContain('snap refresh snapd');
  expect(w.juju.unitStatus.message).toContain('snap set system homedirs=/var/lib');
  expect(w.host.actions.filter((a) => a.startsWith('snap set'))).toEqual([]);
});

test('snap host: snapd refusing the option blocks, naming the option and the command to run by hand', async () => {
  const w = snapWorld({}, { snapSetFails: { 'system homedirs': 'error: cannot perform the following tasks:\n- Run configure hook of "core" snap (run hook "configure": path "/var/lib/" does not exist)' } });
  await run(w);
  expect(w.juju.unitStatus.status).toBe('blocked');
  expect(w.juju.unitStatus.message).toContain('homedirs (by hand: snap set system homedirs=/var/lib)');
  expect(w.juju.unitStatus.message).toContain('does not exist');
});

test('snap host: /var/lib/lxd with content is never replaced (blocked, saying why); an empty one is', async () => {
  const full = snapWorld({}, { paths: { '/var/lib/lxd': { kind: 'directory', empty: false } } });
  await run(full);
  expect(full.juju.unitStatus.status).toBe('blocked');
  expect(full.juju.unitStatus.message).toContain('/var/lib/lxd is a directory with content');
  expect(full.host.actions.filter((a) => a.startsWith('ln '))).toEqual([]);
  expect(full.host.paths.get('/var/lib/lxd')).toEqual({ kind: 'directory', empty: false });

  const empty = snapWorld({}, { paths: { '/var/lib/lxd': { kind: 'directory', empty: true } } });
  await run(empty);
  expect(empty.host.paths.get('/var/lib/lxd')).toEqual({ kind: 'symlink', target: '/var/snap/lxd/common/lxd' });
  expect(await rerun(empty)).toEqual([]);
});

test('snap host: a /var/lib/lxd link already to the snap is remembered, elsewhere it blocks', async () => {
  const ok = snapWorld({}, { paths: { '/var/lib/lxd': { kind: 'symlink', target: '/var/snap/lxd/common/lxd/' } } });
  await run(ok);
  expect(ok.host.actions.filter((a) => a.startsWith('ln '))).toEqual([]);
  expect(await rerun(ok)).toEqual([]);
  const wrong = snapWorld({}, { paths: { '/var/lib/lxd': { kind: 'symlink', target: '/srv/lxd' } } });
  await run(wrong);
  expect(wrong.juju.unitStatus.message).toContain('/var/lib/lxd is a symlink to /srv/lxd');
});

test('snap host: use-criu sets the snap option criu.enable and reloads the daemon, no criu deb; once', async () => {
  const w = snapWorld({ 'use-criu': true });
  await run(w);
  expect(snapActions(w)).toEqual(['snap set system homedirs=/var/lib', 'ln -s /var/snap/lxd/common/lxd /var/lib/lxd', 'snap set lxd criu.enable=true', 'reload lxd (snap)']);
  expect(w.host.actions.some((a) => a.includes('criu') && a.startsWith('apt-get'))).toBe(false);
  expect(await rerun(w)).toEqual([]);
  // use-criu=false later does not undo it
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, config: { ...state.config, 'use-criu': false } });
  await run(w);
  expect(w.host.snapOptions.get('lxd criu.enable')).toBe('true');
});

test('snap host: criu.enable already true is remembered without a reload', async () => {
  const w = snapWorld({ 'use-criu': true }, { snapOptions: { 'lxd criu.enable': 'true', 'system homedirs': '/var/lib' } });
  await run(w);
  expect(snapActions(w)).toEqual(['ln -s /var/snap/lxd/common/lxd /var/lib/lxd']);
  expect(await rerun(w)).toEqual([]);
});

test('deb host: none of it (no snap commands, no /var/lib/lxd link)', async () => {
  const w: World = { juju: new FakeJuju(withNova().withConfig({ 'lvm-thinpool': false, 'use-criu': true })), lxd: new FakeLxd(), host: new FakeHost({ homes: { nova: '/var/lib/nova' } }) };
  await run(w);
  expect(snapActions(w)).toEqual([]);
  expect(w.host.actions).toContain('apt-get install criu');
});

test("no nonce before nova-compute names its user (its configure_lxd would run lxc list as nobody yet and fail its hook); then one", async () => {
  const unit = aUnit().withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': {} } });
  const w: World = { juju: new FakeJuju(unit.withConfig({ 'lvm-thinpool': false })), lxd: new FakeLxd(), host: new FakeHost() };
  await run(w, 'lxd-relation-joined');
  const bag = (): Record<string, string> | undefined => w.juju.state.relations.find((r) => r.endpoint === 'lxd')?.localUnit;
  expect(bag()?.nonce).toBeUndefined();
  const withUser = snapWorld();
  await run(withUser, 'lxd-relation-changed');
  expect(withUser.juju.state.relations.find((r) => r.endpoint === 'lxd')?.localUnit).toMatchObject({ nonce: expect.stringMatching(/\S/), pool: 'lxd' });
});
