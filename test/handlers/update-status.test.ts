// update-status through the charm's event table: after a converge that ended active it reads the
// unit's memo and GETs /1.0 — no hook tool at all; a changed server, a status short of active, no
// memo, an hour since the last full check, or LXD down converges. Pause: every hook keeps the paused status and leaves LXD alone;
// resume converges and forgets the pause.
import { servicesFor } from '../builders/run-hook';
import { PAUSED } from '../../src/model/status';
import { resumeConverge } from '../../src/handlers/lifecycle';
import { parseQuickCheck } from '../../src/reconcile/quick-check';
import { aUnit } from '../builders/juju-state';
import { hookEvent } from '../builders/juju-events';
import { runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';
import { MemoryMemo } from '../fakes/memory-memo';
import { countingTools } from '../fakes/counting-tools';


interface World { juju: FakeJuju; lxd: FakeLxd; host: FakeHost; memo: MemoryMemo; now?: () => Date }

async function converged(): Promise<World> {
  const w: World = { juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false })), lxd: new FakeLxd(), host: new FakeHost(), memo: new MemoryMemo() };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.juju.unitStatus.status).toBe('active');
  return w;
}

/** Runs update-status with a call-counting HookTools; returns the tool calls it made and what it wrote. */
async function updateStatus(w: World): Promise<{ calls: string[]; lxdWrites: string[]; statuses: string[]; memoWrites: number }> {
  const { tools, calls } = countingTools(w.juju);
  const before = { lxd: w.lxd.writes.length, statuses: w.juju.statuses.length, memo: w.memo.writes };
  const result = await runHook('update-status', { ...w, juju: tools });
  expect(result.exitCode).toBe(0);
  return {
    calls,
    lxdWrites: w.lxd.writes.slice(before.lxd),
    statuses: w.juju.statuses.slice(before.statuses).map((s) => `${s.status}: ${s.message}`),
    memoWrites: w.memo.writes - before.memo,
  };
}

const QUIET = { calls: [], lxdWrites: [], statuses: [], memoWrites: 0 };

test('an active converge leaves a memo; update-status then calls no hook tool and changes nothing', async () => {
  const w = await converged();
  const check = parseQuickCheck(w.memo.text);
  expect(check).toMatchObject({ lastStatus: expect.stringMatching(/^active\|Unit is ready/), paused: false });
  expect(check?.fingerprint).toMatch(/^5\.0\.2\|[0-9a-f]{64}$/);
  expect(await updateStatus(w)).toEqual(QUIET);
});

test('a config-changed with nothing to change leaves the memo alone for half an hour, then only moves its check time', async () => {
  const w = await converged();
  const before = parseQuickCheck(w.memo.text);
  const writes = w.memo.writes;
  expect((await runHook('config-changed', { ...w, now: () => new Date(29 * 60_000) })).exitCode).toBe(0);
  expect(w.memo.writes).toBe(writes);
  expect((await runHook('config-changed', { ...w, now: () => new Date(30 * 60_000) })).exitCode).toBe(0);
  expect(w.memo.writes).toBe(writes + 1);
  expect(parseQuickCheck(w.memo.text)).toEqual({ ...before, checkedAt: new Date(30 * 60_000).toISOString() });
});

test('a hand change to the server config is drift: update-status converges and repairs it', async () => {
  const w = await converged();
  await w.lxd.patchServerConfig({ 'core.https_address': '[::]:9999' });
  const run = await updateStatus(w);
  expect(run.calls).toContain('configGet');
  expect(run.lxdWrites).toEqual(['PATCH /1.0 core.https_address']);
  expect(w.lxd.serverConfig['core.https_address']).toBe('10.0.0.5:8443');
  expect(w.juju.logs).toContain('INFO update-status: LXD changed since the last converge: converging');
  expect(await updateStatus(w)).toEqual(QUIET); // and the next one is quiet again
});

test('pools, networks and profiles are checked by the full converge update-status runs once the last one is an hour old', async () => {
  const w = await converged();
  w.lxd.pools.delete('lxd');
  await w.lxd.patchNetwork('lxdbr0', { 'bridge.mtu': '9000' });
  expect(await updateStatus({ ...w, now: () => new Date(59 * 60_000) } as World)).toEqual(QUIET);
  const run = await updateStatus({ ...w, now: () => new Date(60 * 60_000) } as World);
  expect(run.lxdWrites).toEqual(expect.arrayContaining(['POST /1.0/storage-pools lxd', 'PATCH /1.0/networks/lxdbr0 bridge.mtu']));
  expect(w.juju.logs).toContain('INFO update-status: the last full check is an hour old: converging');
});

/** The memo the converge left, with some of its fields replaced. */
const memoWith = (w: World, fields: Record<string, unknown>): string => JSON.stringify({ ...JSON.parse(w.memo.text ?? '{}'), ...fields });

test.each<[string, (w: World) => string | null, string]>([
  ['no memo', () => null, 'nothing remembered from a previous converge'],
  ['a memo that is not ours', () => '{"x":1}', 'nothing remembered from a previous converge'],
  ['a corrupt memo (cut short by a crash while written by hand)', (w) => (w.memo.text ?? '').slice(0, 40), 'nothing remembered from a previous converge'],
  ['a memo from another charm version', (w) => memoWith(w, { charmVersion: '0.0.9+abc1234' }), 'the memo was left by charm version "0.0.9+abc1234", this is "0.1.0+test"'],
  ['a converge that ended waiting (a peer was unreachable)', (w) => memoWith(w, { lastStatus: 'waiting|1/2 peers wired', fingerprint: '' }), 'the last converge did not end active'],
  ['a check time that does not parse', (w) => memoWith(w, { checkedAt: 'yesterday' }), 'the last full check is an hour old'],
])('%s makes update-status converge fully', async (_, memo, reason) => {
  const w = await converged();
  w.memo.text = memo(w);
  w.lxd.pools.delete('lxd'); // only a full converge looks at pools: its repair proves one ran
  const run = await updateStatus(w);
  expect(run.calls).toEqual(expect.arrayContaining(['configGet', 'stateGet', 'networkGet']));
  expect(w.juju.logs).toContain(`INFO update-status: ${reason}: converging`);
  expect(run.lxdWrites).toContain('POST /1.0/storage-pools lxd');
  expect(parseQuickCheck(w.memo.text)).toMatchObject({ lastStatus: expect.stringMatching(/^active\|/), charmVersion: '0.1.0+test' });
  expect(await updateStatus(w)).toEqual(QUIET);
});

test('LXD not answering makes update-status converge (which then blocks, saying so)', async () => {
  const w = await converged();
  const down = { ...w, lxd: new FakeLxd({ down: true }) };
  const { tools, calls } = countingTools(down.juju);
  await runHook('update-status', { ...down, juju: tools });
  expect(calls).toContain('configGet');
  expect(down.juju.logs.some((l) => l.startsWith('INFO update-status: LXD does not answer'))).toBe(true);
  expect(down.juju.unitStatus).toMatchObject({ status: 'blocked', message: expect.stringContaining('LXD is not running') });
  expect(parseQuickCheck(w.memo.text)).toMatchObject({ lastStatus: expect.stringMatching(/^blocked\|/), fingerprint: '' });
});

describe('paused', () => {
  async function paused(): Promise<World> {
    const w = await converged();
    w.juju = new FakeJuju({ ...w.juju.state, charmState: { ...w.juju.state.charmState, 'paused-since': '2026-11-26T23:00:00.000Z' } });
    return w;
  }

  test('a hook while paused keeps the paused status, touches LXD not at all, and update-status stays quiet', async () => {
    const w = await paused();
    const lxdWrites = w.lxd.writes.length;
    expect((await runHook('config-changed', w)).exitCode).toBe(0);
    expect(w.juju.unitStatus).toEqual(PAUSED);
    expect(parseQuickCheck(w.memo.text)?.paused).toBe(true);
    expect(await updateStatus(w)).toEqual(QUIET);
    expect(w.lxd.writes.length).toBe(lxdWrites);
    expect(w.juju.state.charmState['paused-since']).toBe('2026-11-26T23:00:00.000Z');
  });

  test('the first update-status after a pause (LXD gone) notices, says paused and stays quiet after', async () => {
    const w = await paused();
    const stopped = { ...w, lxd: new FakeLxd({ down: true }) };
    await runHook('update-status', stopped);
    expect(w.juju.unitStatus).toEqual(PAUSED);
    expect(await updateStatus(stopped)).toEqual(QUIET);
  });

  test('resume converges, returns to active and forgets the pause', async () => {
    const w = await paused();
    await runHook('config-changed', w); // status now says paused
    await w.lxd.patchNetwork('lxdbr0', { 'bridge.mtu': '9000' }); // drift while paused
    const services = servicesFor(hookEvent('update-status', w.juju.state), { juju: w.juju, lxd: w.lxd, host: w.host, memo: w.memo });
    await resumeConverge(services);
    w.juju.commit();
    expect(w.juju.unitStatus.status).toBe('active');
    expect(w.lxd.nets.get('lxdbr0')?.config['bridge.mtu']).toBe('1500');
    expect(w.juju.state.charmState['paused-since']).toBe(''); // forgotten: Juju's state-set keeps "", read as unset
    expect(await updateStatus(w)).toEqual(QUIET);
  });
});

test('a loop file that came loose (a reboot, a losetup -d) makes update-status converge at once, which attaches it again', async () => {
  const w: World = { juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false, 'storage-type': 'btrfs', 'block-devices': '/srv/a.img|1G' })), lxd: new FakeLxd(), host: new FakeHost(), memo: new MemoryMemo() };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(parseQuickCheck(w.memo.text)?.loops).toEqual([{ file: '/srv/a.img', device: '/dev/loop0' }]);
  expect(await updateStatus(w)).toEqual(QUIET);
  w.host.reboot();
  await updateStatus(w);
  expect(w.juju.logs).toContain('INFO update-status: loop file /srv/a.img is no longer attached to /dev/loop0: converging');
  expect(w.host.loops.get('/srv/a.img')).toBe('/dev/loop0');
  expect(w.juju.unitStatus.status).toBe('active');
  expect(await updateStatus(w)).toEqual(QUIET);
});
