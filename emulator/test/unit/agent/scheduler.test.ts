import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PendingOperation } from '../../../src/agent/scheduler';
import { Model } from '../../../src/model/model';
import { charmDir, fakeDirs, FakeMachines, FakeTools, PEER_CHARM, PRINCIPAL_CHARM, SUB_CHARM, type FakeCharm } from './fakes';

const homes: string[] = [];
afterAll(() => [...homes, ...fakeDirs].forEach((h) => rmSync(h, { recursive: true, force: true })));

async function model(charm: FakeCharm, parallelism?: number) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sched-test-'));
  homes.push(home);
  const tools = new FakeTools();
  const machines = new FakeMachines(tools, charm);
  const m = await Model.create({ name: 'sched-test', backend: machines, home, tools, clock: () => '2026-11-26T21:00:00Z', ...(parallelism ? { parallelism } : {}) });
  return { m, tools, machines };
}

const hookOf = (env: Record<string, string>) => env.JUJU_HOOK_NAME || `action:${env.JUJU_ACTION_NAME ?? ''}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noLxd = { machineOptions: { lxd: false } };

function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('Juju ordering (contract §4.1)', () => {
  test('many units at once, never more than the parallelism bound', async () => {
    const slow: FakeCharm = () => sleep(3).then(() => 0);
    const { m, machines } = await model(slow, 2);
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 5, ...noLxd });
    await m.settle();
    expect(machines.maxOverall).toBe(2);
    expect(machines.maxPerMachine).toBe(1);
  });

  test('an action queued while a hook runs waits for it and sees what it committed', async () => {
    const hold = gate();
    const order: string[] = [];
    let seenByAction: string | undefined;
    let hookRunning = false;
    const actions = 'look:\n  params: {}\n';
    const { m } = await model(async (env, ctx) => {
      const hook = hookOf(env);
      order.push(`start ${hook}`);
      const relationId = Number(Object.keys(ctx.req.state.relations)[0]);
      if (hook === 'update-status') {
        hookRunning = true;
        ctx.relationSet(relationId, 'k', 'written by update-status');
        await hold.wait;
      }
      if (hook === 'action:look') seenByAction = ctx.req.state.relations[String(relationId)]?.unitBags['peery/0']?.k;
      order.push(`end ${hook}`);
      return 0;
    });
    await m.deploy('peery', charmDir(PEER_CHARM, { 'actions.yaml': actions }), { units: 1, ...noLxd });
    await m.settle();
    m.updateStatus();
    const settling = m.settle();
    while (!hookRunning) await sleep(1);
    const action = m.run('peery/0', 'look');
    await sleep(20); // the action is queued, the unit busy: it must not start
    expect(order.at(-1)).toBe('start update-status');
    hold.open();
    const record = await action;
    await settling;
    expect(record.status).toBe('completed');
    expect(order.slice(-4)).toEqual(['start update-status', 'end update-status', 'start action:look', 'end action:look']);
    expect(seenByAction).toBe('written by update-status');
  });

  test('a hook and an action of two units on one machine take the machine lock in turn; a parallel action does not wait', async () => {
    const hold = gate();
    let subHookRunning = false;
    const events: string[] = [];
    const actions = 'quick:\n  params: {}\n  parallel: true\nlocked:\n  params: {}\n';
    const { m } = await model(async (env) => {
      const hook = hookOf(env);
      events.push(`start ${env.JUJU_UNIT_NAME} ${hook}`);
      if (hook === 'update-status' && env.JUJU_UNIT_NAME === 'subby/0') {
        subHookRunning = true;
        await hold.wait;
      }
      events.push(`end ${env.JUJU_UNIT_NAME} ${hook}`);
      return 0;
    });
    await m.deploy('princy', charmDir(PRINCIPAL_CHARM, { 'actions.yaml': actions }), { units: 1, ...noLxd });
    await m.deploy('subby', charmDir(SUB_CHARM));
    m.relate('subby', 'princy');
    await m.settle();
    m.updateStatus(['subby/0']);
    const settling = m.settle();
    while (!subHookRunning) await sleep(1);
    const quick = await m.run('princy/0', 'quick', {}, { units: ['princy/0'] });
    expect(quick.status).toBe('completed');
    const locked = m.run('princy/0', 'locked', {}, { units: ['princy/0'] });
    await sleep(20);
    expect(events).not.toContain('start princy/0 action:locked');
    hold.open();
    await locked;
    await settling;
    expect(events.indexOf('start princy/0 action:locked')).toBeGreaterThan(events.indexOf('end subby/0 update-status'));
    expect(events.indexOf('end princy/0 action:quick')).toBeLessThan(events.indexOf('end subby/0 update-status'));
  });

  test('a failed hook is retried as Juju does when asked (retryFailedHooks), and the unit leaves error', async () => {
    let failures = 1;
    const { m } = await model((env) => (hookOf(env) === 'config-changed' && failures-- > 0 ? 1 : 0));
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 1, ...noLxd });
    const report = await m.settle({ retryFailedHooks: 3 });
    expect(report.failed.map((f) => f.label)).toEqual(['config-changed']);
    expect(report.ran.map((r) => r.label).filter((l) => l === 'config-changed')).toHaveLength(2);
    expect(m.state.units['peery/0']?.erroredEvent).toBeNull();
    expect(m.state.units['peery/0']?.life).toBe('alive');
  });
});

describe('chosen interleavings', () => {
  async function principalAndSub() {
    const ran: string[] = [];
    const { m } = await model((env) => {
      ran.push(`${env.JUJU_UNIT_NAME} ${hookOf(env)}`);
      return 0;
    });
    await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 1, ...noLxd });
    await m.deploy('subby', charmDir(SUB_CHARM));
    await m.settle();
    m.relate('subby', 'princy');
    return { m, ran };
  }

  test('pendingHooks lists each unit\'s next operation; runNext runs exactly one', async () => {
    const { m, ran } = await principalAndSub();
    expect(m.pendingHooks().map((p) => `${p.unit} ${p.label} ${p.ready}`)).toEqual([
      'princy/0 host-relation-created true',
      'subby/0 install true',
    ]);
    expect(m.queuedHooks()['subby/0']).toEqual(['install', 'sub-peer-relation-created', 'host-relation-created', 'leader-elected', 'config-changed', 'start']);
    const outcome = await m.runNext('subby/0');
    expect(outcome?.label).toBe('install');
    expect(ran.slice(-1)).toEqual(['subby/0 install']);
    expect(m.pendingHooks().find((p) => p.unit === 'subby/0')?.label).toMatch(/-relation-created$/);
  });

  test('two orders give two different observable sequences, each keeping every unit\'s own order', async () => {
    const subFirst = (ready: readonly PendingOperation[]) => ready.find((p) => p.unit.startsWith('subby')) ?? ready[0] ?? null;
    const principalFirst = (ready: readonly PendingOperation[]) => ready.find((p) => p.unit.startsWith('princy')) ?? ready[0] ?? null;
    const sequences: string[][] = [];
    for (const order of [subFirst, principalFirst]) {
      const { m, ran } = await principalAndSub();
      const start = ran.length;
      await m.settle({ order });
      sequences.push(ran.slice(start));
    }
    const [a = [], b = []] = sequences;
    expect(a).not.toEqual(b);
    expect([...a].sort()).toEqual([...b].sort());
    const own = (seq: string[], unit: string) => seq.filter((s) => s.startsWith(unit));
    expect(own(a, 'subby/0')).toEqual(own(b, 'subby/0'));
    expect(own(a, 'princy/0')).toEqual(own(b, 'princy/0'));
    expect(a[0]).toBe('subby/0 install');
    expect(b[0]).toBe('princy/0 host-relation-created');
  });

  test('an order policy that returns null stops the settle there', async () => {
    const { m, ran } = await principalAndSub();
    const start = ran.length;
    let steps = 0;
    await m.settle({ order: (ready) => (steps++ < 2 ? (ready[0] ?? null) : null) });
    expect(ran.length - start).toBe(2);
    expect(m.pendingHooks().length).toBeGreaterThan(0);
  });
});
