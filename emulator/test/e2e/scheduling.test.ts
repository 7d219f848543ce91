// Juju's operation order with the test charms as real processes on local machines: an action waits
// for the hook its unit runs and sees what it committed; a chosen interleaving of a principal's and
// its subordinate's hooks is what the charms observe.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, Model, type PendingOperation } from '../../src/index';
import { unitPaths } from '../../src/agent/paths';

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-sched-'));
const models: Model[] = [];
afterAll(async () => {
  for (const model of models) await model.destroy().catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

async function localModel(name: string): Promise<Model> {
  const model = await Model.create({ name, backend: 'local', home });
  models.push(model);
  return model;
}

function invocations(model: Model, unit: string): string[] {
  const record = model.state.units[unit];
  const machine = record && model.state.machines[record.machine];
  if (!machine) throw new Error(`no machine for ${unit}`);
  const file = path.join(unitPaths(machine, unit).hostAgentDir, 'invocations.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const localOnly = { machineOptions: { lxd: false, loopDevices: 0 } };

test('an action queued during a slow hook runs after it and sees the state it committed', async () => {
  const model = await localModel('emu-sched-action');
  await model.deploy('tc', builtinCharm('test-charm'), { units: 1, ...localOnly });
  await model.settle();
  model.config('tc', { greeting: 'changed', 'slow-hook': 'config-changed', 'slow-seconds': 2 });
  const settling = model.settle();
  const deadline = Date.now() + 20_000;
  while (!invocations(model, 'tc/0').includes('SLOW config-changed begin')) {
    if (Date.now() > deadline) throw new Error('config-changed never started');
    await sleep(20);
  }
  // the hook has run state-set greeting=changed, but has not exited: nothing is committed yet
  expect(model.state.units['tc/0']?.state.greeting).toBe('hello');
  const action = await model.run('tc/0', 'record', { suffix: '' });
  await settling;
  expect(action).toMatchObject({ status: 'completed', results: { 'state-greeting': 'changed', greeting: 'changed' } });
  const lines = invocations(model, 'tc/0');
  expect(lines.indexOf('RUN actions/record remote=<unset> departing=<unset> relation=<unset> members=')).toBeGreaterThan(lines.indexOf('SLOW config-changed end'));
});

describe('a principal and its subordinate in a chosen order', () => {
  const principalFirst = (ready: readonly PendingOperation[]) => ready.find((p) => p.unit.startsWith('tc/')) ?? ready[0] ?? null;
  const subordinateFirst = (ready: readonly PendingOperation[]) => ready.find((p) => p.unit.startsWith('ts/')) ?? ready[0] ?? null;

  async function observed(name: string, order: (ready: readonly PendingOperation[]) => PendingOperation | null): Promise<string[]> {
    const model = await localModel(name);
    await model.deploy('tc', builtinCharm('test-charm'), { units: 1, config: { 'write-on-joined': true }, ...localOnly });
    await model.deploy('ts', builtinCharm('test-subordinate'));
    await model.settle();
    model.relate('ts', 'tc');
    const report = await model.settle({ order });
    expect(report.failed).toEqual([]);
    // what the subordinate saw of its principal's bag, in order
    return invocations(model, 'ts/0').filter((l) => l.startsWith('DATA tc/0 '));
  }

  test('principal first: the subordinate\'s first look at the bag already has the principal\'s write; subordinate first: not yet', async () => {
    const a = await observed('emu-sched-order-a', principalFirst);
    const b = await observed('emu-sched-order-b', subordinateFirst);
    expect(a).not.toEqual(b);
    expect(a[0]).toMatch(/"joined":"ts\/0"/);
    expect(b[0]).not.toMatch(/"joined"/);
    // either way the subordinate ends up seeing the write
    expect(b.at(-1)).toMatch(/"joined":"ts\/0"/);
  });
});
