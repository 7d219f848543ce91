// Injected faults with the test charm as real processes on local machines: a hook tool failing as
// Juju's do, and a hook process SIGKILLed right after a tool took effect, then retried.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, DEFAULT_TOOL_FAILURE, Model } from '../../src/index';
import { unitPaths } from '../../src/agent/paths';

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-faults-'));
const models: Model[] = [];
afterAll(async () => {
  for (const model of models) await model.destroy().catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

async function deployed(name: string): Promise<Model> {
  const model = await Model.create({ name, backend: 'local', home });
  models.push(model);
  await model.deploy('tc', builtinCharm('test-charm'), { units: 1, machineOptions: { lxd: false, loopDevices: 0 } });
  await model.settle();
  return model;
}

function invocations(model: Model, unit: string): string[] {
  const record = model.state.units[unit];
  const machine = record && model.state.machines[record.machine];
  if (!machine) throw new Error(`no machine for ${unit}`);
  const file = path.join(unitPaths(machine, unit).hostAgentDir, 'invocations.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

test('config-get fails once with Juju\'s error shape, then answers again', async () => {
  const model = await deployed('emu-faults-tool');
  model.injectToolFailure({ unit: 'tc/0', tool: 'config-get', hook: 'record' });
  const failed = await model.run('tc/0', 'record', { suffix: '' });
  expect(failed.results).toMatchObject({ greeting: '', stderr: `ERROR ${DEFAULT_TOOL_FAILURE}\n` });
  const fine = await model.run('tc/0', 'record', { suffix: '' });
  expect(fine.results).toMatchObject({ greeting: 'hello' });
  expect(fine.results).not.toHaveProperty('stderr');
});

test('a hook SIGKILLed after state-set keeps nothing, leaves the unit in error, and Juju\'s retry converges', async () => {
  const model = await deployed('emu-faults-kill');
  model.killHookAt({ unit: 'tc/0', hook: 'config-changed', tool: 'state-set', when: 'after' });
  model.config('tc', { greeting: 'after-kill' });
  const killed = await model.settle();
  expect(killed.failed.map((f) => f.label)).toEqual(['config-changed']);
  expect(model.state.units['tc/0']?.state.greeting).toBe('hello');
  expect(model.status().applications.tc?.units['tc/0']?.workload).toMatchObject({ status: 'error', message: 'hook failed: "config-changed"' });
  expect(model.debugLog('tc/0')).toMatch(/hook "config-changed" failed: terminated \(SIGKILL\)/);
  // the killed process never got to write its relation data (it comes after state-set): still the old one
  const peer = Object.values(model.state.relations)[0];
  expect(peer?.unitBags['tc/0']?.greeting).toBe('hello');
  const retried = await model.settle({ retryFailedHooks: 1 });
  expect(retried.failed).toEqual([]);
  expect(model.state.units['tc/0']?.state.greeting).toBe('after-kill');
  expect(peer?.unitBags['tc/0']?.greeting).toBe('after-kill');
  expect(invocations(model, 'tc/0').filter((l) => l.startsWith('RUN hooks/config-changed'))).toHaveLength(3);
});
