import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TOOL_FAILURE, FaultPlan } from '../../../src/agent/faults';
import { Model } from '../../../src/model/model';
import { charmDir, fakeDirs, FakeMachines, FakeTools, PEER_CHARM, type FakeCharm } from './fakes';

const homes: string[] = [];
afterAll(() => [...homes, ...fakeDirs].forEach((h) => rmSync(h, { recursive: true, force: true })));

async function model(charm: FakeCharm) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'faults-test-'));
  homes.push(home);
  const tools = new FakeTools();
  const machines = new FakeMachines(tools, charm);
  const m = await Model.create({ name: 'faults-test', backend: machines, home, tools, clock: () => '2026-11-26T21:00:00Z' });
  return { m, tools, machines };
}

const hookOf = (env: Record<string, string>) => env.JUJU_HOOK_NAME ?? '';
const noLxd = { machineOptions: { lxd: false } };

describe('FaultPlan', () => {
  test('a tool failure fires `times` calls of that tool on that unit, then the tool runs again', () => {
    const plan = new FaultPlan();
    plan.injectToolFailure({ unit: 'a/0', tool: 'network-get', times: 2 });
    expect(plan.onToolCall('a/1', 'install', 'network-get')).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'install', 'config-get')).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'install', 'network-get')).toEqual({ kind: 'fail', message: DEFAULT_TOOL_FAILURE });
    expect(plan.onToolCall('a/0', 'start', 'network-get')).toEqual({ kind: 'fail', message: DEFAULT_TOOL_FAILURE });
    expect(plan.onToolCall('a/0', 'start', 'network-get')).toEqual({ kind: 'run' });
    expect(plan.fired).toHaveLength(2);
    expect(plan.armed()).toBe(0);
  });

  test('a failure limited to a hook leaves other hooks alone and carries its message', () => {
    const plan = new FaultPlan();
    plan.injectToolFailure({ unit: 'a/0', tool: 'secret-get', hook: 'config-changed', message: 'secret "x" not found' });
    expect(plan.onToolCall('a/0', 'install', 'secret-get')).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'config-changed', 'secret-get')).toEqual({ kind: 'fail', message: 'secret "x" not found' });
  });

  test('a kill fires on the Nth matching call, once', () => {
    const plan = new FaultPlan();
    plan.killHookAt({ unit: 'a/0', tool: 'relation-set', call: 2, when: 'after' });
    expect(plan.onToolCall('a/0', 'x', 'relation-set')).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'x', 'relation-get')).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'x', 'relation-set')).toEqual({ kind: 'kill', when: 'after' });
    expect(plan.onToolCall('a/0', 'x', 'relation-set')).toEqual({ kind: 'run' });
  });

  test('a kill or an action may be limited to a call whose arguments contain a string', () => {
    const plan = new FaultPlan();
    plan.killHookAt({ unit: 'a/0', tool: 'juju-log', argsContain: 'set core.https_address', when: 'after' });
    expect(plan.onToolCall('a/0', 'x', 'juju-log', ['--log-level', 'INFO', 'create bridge lxdbr0'])).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'x', 'juju-log', ['--log-level', 'INFO', 'set core.https_address=[::]:8443'])).toEqual({ kind: 'kill', when: 'after' });
    const done: string[] = [];
    const action = async (): Promise<void> => void done.push('stopped');
    plan.atToolCall({ unit: 'a/0', tool: 'status-set', argsContain: 'maintenance', call: 2, action });
    expect(plan.onToolCall('a/0', 'x', 'status-set', ['active', 'ready'])).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'x', 'status-set', ['maintenance', 'a'])).toEqual({ kind: 'run' });
    expect(plan.onToolCall('a/0', 'x', 'status-set', ['maintenance', 'b'])).toEqual({ kind: 'act', action });
    expect(plan.onToolCall('a/0', 'x', 'status-set', ['maintenance', 'c'])).toEqual({ kind: 'run' });
    expect(plan.fired.map((f) => f.kind)).toEqual(['kill', 'action']);
    expect(plan.armed()).toBe(0);
  });

  test('a timed kill is handed out once, to the matching hook, and counts as fired only once its timer kills', () => {
    const plan = new FaultPlan();
    plan.killHookAt({ unit: 'a/0', hook: 'start', afterMs: 50 });
    expect(plan.killDelayFor('a/0', 'install')).toBeNull();
    const timed = plan.killDelayFor('a/0', 'start');
    expect(timed?.afterMs).toBe(50);
    expect(plan.killDelayFor('a/0', 'start')).toBeNull();
    expect(plan.fired).toEqual([]); // the hook may end before 50 ms: then it was not killed
    timed?.fire();
    expect(plan.fired).toEqual([{ kind: 'kill', unit: 'a/0', hook: 'start', tool: null }]);
  });

  test('bad specs are refused with the reason', () => {
    const plan = new FaultPlan();
    expect(() => plan.killHookAt({ unit: 'a/0' })).toThrow('give exactly one of tool or afterMs');
    expect(() => plan.killHookAt({ unit: 'a/0', tool: 't', call: 0 })).toThrow('call must be a positive integer');
    expect(() => plan.injectToolFailure({ unit: 'a/0', tool: 't', times: 0 })).toThrow('times must be a positive integer');
  });
});

describe('faults through the unit agent', () => {
  test('an injected tool failure reaches the hook as exit 1 with ERROR text, once', async () => {
    const seen: Array<{ code: number; stderr: string }> = [];
    const { m } = await model(async (env, ctx) => {
      if (hookOf(env) === 'config-changed') seen.push(await ctx.tool('network-get'));
      return 0;
    });
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 1, ...noLxd });
    m.injectToolFailure({ unit: 'peery/0', tool: 'network-get' });
    await m.settle();
    m.config('peery', {});
    m.state.units['peery/0']?.queue.push({ kind: 'hook', name: 'config-changed' });
    await m.settle();
    expect(seen).toEqual([
      { code: 1, stderr: `ERROR ${DEFAULT_TOOL_FAILURE}\n` },
      { code: 0, stderr: '' },
    ]);
    expect(m.firedFaults()).toEqual([{ kind: 'tool-failure', unit: 'peery/0', hook: 'config-changed', tool: 'network-get' }]);
  });

  test('a hook killed at a tool call fails, its writes are dropped, and the retry converges', async () => {
    const { m, tools } = await model(async (env, ctx) => {
      if (hookOf(env) !== 'config-changed') return 0;
      ctx.relationSet(Number(Object.keys(ctx.req.state.relations)[0]), 'k', 'v');
      const res = await ctx.tool('state-set');
      return res.code === 0 ? 0 : 1;
    });
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 1, ...noLxd });
    m.killHookAt({ unit: 'peery/0', tool: 'state-set', hook: 'config-changed', when: 'after' });
    const first = await m.settle();
    expect(first.failed.map((f) => f.label)).toEqual(['config-changed']);
    expect(m.state.units['peery/0']?.workloadStatus).toMatchObject({ status: 'error', message: 'hook failed: "config-changed"' });
    expect(tools.all.filter((c) => c.discarded)).toHaveLength(1);
    const rel = Object.values(m.state.relations)[0];
    expect(rel?.unitBags['peery/0']?.k).toBeUndefined();
    expect(m.debugLog('peery/0')).toMatch(/killing the hook process \(SIGKILL\) after state-set: an injected fault/);
    expect(m.debugLog('peery/0')).toMatch(/hook "config-changed" failed: terminated \(SIGKILL\)/);
    const retried = await m.settle({ retryFailedHooks: 1 });
    expect(retried.ran.map((r) => r.label)).toEqual(['config-changed', 'start']);
    expect(rel?.unitBags['peery/0']?.k).toBe('v');
    expect(m.state.units['peery/0']?.erroredEvent).toBeNull();
  });

  test('a timed kill ends a hook that would run long', async () => {
    const { m } = await model((env) => (hookOf(env) === 'install' ? new Promise<number>(() => undefined) : 0));
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 1, ...noLxd });
    m.killHookAt({ unit: 'peery/0', hook: 'install', afterMs: 30 });
    const report = await m.settle();
    expect(report.failed.map((f) => f.label)).toEqual(['install']);
    expect(m.state.units['peery/0']?.erroredEvent).toMatchObject({ name: 'install' });
  });
});
