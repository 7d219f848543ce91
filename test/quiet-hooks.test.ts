// The hook entry point's early end: after a full converge left its memo, update-status and
// config-changed end without the full charm only while nothing they compare has changed.
import { hookIsQuiet, quietCandidate, type QuietHook } from '../src/quiet-hooks';
import type { HookTools } from '../src/juju/hook-tools';
import { aUnit } from './builders/juju-state';
import { runHook } from './builders/run-hook';
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
  const result = await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, juju: async () => { askedJuju = true; return juju; }, now });
  return { quiet: result, askedJuju };
}

test('which runs may end early: update-status and config-changed hooks only', () => {
  expect(quietCandidate('hooks/update-status')).toBe('update-status');
  expect(quietCandidate('/var/lib/juju/agents/unit-lxd-0/charm/hooks/config-changed')).toBe('config-changed');
  expect(quietCandidate('actions/update-status')).toBeNull();
  expect(quietCandidate('hooks/start')).toBeNull();
  expect(quietCandidate(undefined)).toBeNull();
});

test('right after a converge both are quiet; update-status asks Juju nothing', async () => {
  const w = await converged();
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
  expect(await quiet(w, 'config-changed')).toEqual({ quiet: true, askedJuju: true });
});

test('config-changed is not quiet once a value or the bind address changed; update-status does not look at those', async () => {
  const w = await converged();
  const changedConfig = new FakeJuju({ ...w.juju.state, config: { ...w.juju.state.config, 'bridge-mtu': 9000 } });
  expect((await quiet(w, 'config-changed', changedConfig)).quiet).toBe(false);
  const moved = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).withAddress('10.0.0.99'));
  expect((await quiet(w, 'config-changed', moved)).quiet).toBe(false);
  expect((await quiet(w, 'update-status')).quiet).toBe(true);
});

test('neither is quiet when LXD changed, is down, no memo exists, or the last full check is an hour old', async () => {
  const w = await converged();
  expect((await quiet(w, 'config-changed', w.juju, new Date(60 * 60_000))).quiet).toBe(false);
  await w.lxd.patchServerConfig({ 'core.https_address': '[::]:9999' });
  for (const hook of ['update-status', 'config-changed'] as const) expect((await quiet(w, hook)).quiet).toBe(false);
  const down = { ...w, lxd: new FakeLxd({ down: true }) };
  expect((await quiet(down, 'update-status')).quiet).toBe(false);
  const fresh = { ...w, memo: new MemoryMemo() };
  expect((await quiet(fresh, 'config-changed')).quiet).toBe(false);
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
    expect(await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, juju: async () => w.juju, now: new Date(0), loopAttached: attached(true) })).toBe(true);
    expect(await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, juju: async () => w.juju, now: new Date(0), loopAttached: attached(false) })).toBe(false);
  }
  expect(asked).toEqual(Array(4).fill('/srv/a.img /dev/loop4'));
});
