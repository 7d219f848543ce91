// The hook entry point's early end: after a full converge left its memo, update-status and
// config-changed end without the full charm only while nothing they compare has changed.
import { hookIsQuiet, quietCandidate, type QuietHook } from '../src/quiet-hooks';
import { inputsDigest } from '../src/reconcile/quick-check';
import type { HookTools } from '../src/juju/hook-tools';
import { aUnit } from './builders/juju-state';
import { runAction, runHook } from './builders/run-hook';
import { FakeHost } from './fakes/fake-host';
import { FakeJuju } from './fakes/fake-juju';
import { FakeLxd } from './fakes/fake-lxd';
import { MemoryMemo } from './fakes/memory-memo';

interface World { juju: FakeJuju; lxd: FakeLxd; host: FakeHost; memo: MemoryMemo }

async function converged(): Promise<World> {
  const w: World = { juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false })), lxd: new FakeLxd(), host: new FakeHost(), memo: new MemoryMemo() };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  return w;
}

async function quiet(w: World, hook: QuietHook, juju: HookTools = w.juju, now = new Date(0)): Promise<{ quiet: boolean; askedJuju: boolean }> {
  let askedJuju = false;
  const result = await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => { askedJuju = true; return juju; }, now });
  return { quiet: result, askedJuju };
}

test('which runs may end early: update-status and config-changed hooks only', () => {
  expect(quietCandidate('hooks/update-status')).toBe('update-status');
  expect(quietCandidate('/var/lib/juju/agents/unit-lxd-0/charm/hooks/config-changed')).toBe('config-changed');
  expect(quietCandidate('actions/update-status')).toBeNull();
  expect(quietCandidate('hooks/start')).toBeNull();
  expect(quietCandidate(undefined)).toBeNull();
});

test('right after a converge both are quiet; update-status asks Juju nothing and LXD nothing (it looks at the daemon in /proc)', async () => {
  const w = await converged();
  const reads = w.lxd.serverReads;
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
  expect(w.lxd.serverReads).toBe(reads);
  expect(await quiet(w, 'config-changed')).toEqual({ quiet: true, askedJuju: true });
  expect(w.lxd.serverReads).toBe(reads + 1);
});

test('update-status is not quiet once the LXD daemon the converge saw is gone: stopped, restarted, or its pid reused by a later process', async () => {
  const w = await converged();
  const at = (minutes: number): Date => new Date(minutes * 60_000);
  const stopped = { ...w, lxd: new FakeLxd({ down: true }) };
  expect((await quiet(stopped, 'update-status')).quiet).toBe(false);
  w.lxd.restartDaemon(at(5), w.lxd.serverPid); // same pid, started after the converge's check
  expect((await quiet(w, 'update-status', w.juju, at(6))).quiet).toBe(false);
  w.lxd.restartDaemon(at(-5)); // another pid
  expect((await quiet(w, 'update-status')).quiet).toBe(false);
  // and the full charm's update-status (it GETs /1.0) sees the new pid too: it converges and remembers it
  const run = await runHook('update-status', w);
  expect(run.exitCode).toBe(0);
  expect(w.juju.logs).toContain('INFO update-status: the LXD daemon the last converge saw is not running: converging');
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
});

test('config-changed is not quiet once a value or the bind address changed; update-status does not look at those', async () => {
  const w = await converged();
  const changedConfig = new FakeJuju({ ...w.juju.state, config: { ...w.juju.state.config, 'bridge-mtu': 9000 } });
  expect((await quiet(w, 'config-changed', changedConfig)).quiet).toBe(false);
  const moved = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).withAddress('10.0.0.99'));
  expect((await quiet(w, 'config-changed', moved)).quiet).toBe(false);
  expect((await quiet(w, 'update-status')).quiet).toBe(true);
});

test('neither is quiet when LXD is down, no memo exists, or the last full check is an hour old; a hand change to the server config: config-changed notices, update-status leaves it to the full check', async () => {
  const w = await converged();
  for (const hook of ['update-status', 'config-changed'] as const) expect((await quiet(w, hook, w.juju, new Date(60 * 60_000))).quiet).toBe(false);
  await w.lxd.patchServerConfig({ 'core.https_address': '[::]:9999' });
  expect((await quiet(w, 'config-changed')).quiet).toBe(false);
  expect((await quiet(w, 'update-status')).quiet).toBe(true);
  expect((await quiet(w, 'update-status', w.juju, new Date(60 * 60_000))).quiet).toBe(false);
  const down = { ...w, lxd: new FakeLxd({ down: true }) };
  expect((await quiet(down, 'update-status')).quiet).toBe(false);
  const fresh = { ...w, memo: new MemoryMemo() };
  expect((await quiet(fresh, 'config-changed')).quiet).toBe(false);
});

test.each<[string, (text: string) => string | null]>([
  ['missing', () => null],
  ['corrupt (cut short)', (text) => text.slice(0, text.length - 7)],
  ['from another charm version', (text) => JSON.stringify({ ...JSON.parse(text), charmVersion: '0.0.9+abc1234' })],
])('a memo %s: neither hook is quiet, so the full charm converges', async (_, memo) => {
  const w = await converged();
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
  w.memo.text = memo(w.memo.text ?? '');
  for (const hook of ['update-status', 'config-changed'] as const) expect((await quiet(w, hook)).quiet).toBe(false);
});

test('the inputs digest: the same for the same values in any key order, another for any changed value or address', () => {
  const digest = inputsDigest({ a: 1, b: 'x' }, '10.0.0.5');
  expect(digest).toMatch(/^[0-9a-f]{16}$/);
  expect(inputsDigest({ b: 'x', a: 1 }, '10.0.0.5')).toBe(digest);
  for (const other of [inputsDigest({ a: 2, b: 'x' }, '10.0.0.5'), inputsDigest({ a: 1, b: 'y' }, '10.0.0.5'), inputsDigest({ a: 1, b: 'x' }, '10.0.0.6'), inputsDigest({ a: 1, b: 'x' }, null)]) expect(other).not.toBe(digest);
});

test('neither is quiet once a remembered loop device no longer holds its file', async () => {
  const w = await converged();
  w.memo.text = JSON.stringify({ ...JSON.parse(w.memo.text ?? '{}'), loops: [{ file: '/srv/a.img', device: '/dev/loop4' }] });
  const asked: string[] = [];
  const attached = (answer: boolean) => async (file: string, device: string) => {
    asked.push(`${file} ${device}`);
    return answer;
  };
  for (const hook of ['update-status', 'config-changed'] as const) {
    expect(await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => w.juju, now: new Date(0), loopAttached: attached(true) })).toBe(true);
    expect(await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => w.juju, now: new Date(0), loopAttached: attached(false) })).toBe(false);
  }
  expect(asked).toEqual(Array(4).fill('/srv/a.img /dev/loop4'));
});

test('an action that finds the listener unset by hand asks for a recheck: the next update-status converges and restores it', async () => {
  const w = await converged();
  const address = w.lxd.serverConfig['core.https_address'];
  await w.lxd.patchServerConfig({ 'core.https_address': '' });
  expect((await quiet(w, 'update-status')).quiet).toBe(true); // the quick path alone would wait for the hourly check
  const acting = { ...w, juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).runningAction('get-client-token')) };
  expect((await runAction('get-client-token', acting)).exitCode).toBe(0);
  expect(acting.juju.state.action?.failed).toMatch(/^LXD is not listening on the network, so a token could not be redeemed: the next hook restores/);
  expect(JSON.parse(w.memo.text ?? '{}')).toMatchObject({ recheck: 'LXD not listening on the network' });
  expect((await quiet(w, 'update-status')).quiet).toBe(false);
  expect((await runHook('update-status', w)).exitCode).toBe(0);
  expect(w.juju.logs).toContain('INFO update-status: an action found LXD not listening on the network: converging');
  expect(w.lxd.serverConfig['core.https_address']).toBe(address);
  expect(JSON.parse(w.memo.text ?? '{}')).not.toHaveProperty('recheck');
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
});
