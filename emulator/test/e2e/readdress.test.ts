// Re-addressing a namespace machine for real: its eth0 gets the new address and loses the old one,
// its routes stay, the others reach it there, its units get config-changed and their peers see the new
// address in the relation; destroy still removes everything. Needs root; no LXD daemon is started.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, Model } from '../../src/index';
import { unitPaths } from '../../src/agent/paths';
import { readMachineRecord } from '../../src/machines/namespace';
import { bridgeName, netnsPrefix } from '../../src/machines/naming';
import { gatewayAddress } from '../../src/machines/subnet';
import { tryRun } from '../../src/machines/command';
import { root, testWith } from '../support/requirements';

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-readdr-'));
let model: Model | undefined;
afterAll(async () => {
  try {
    await model?.destroy();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

function invocations(m: Model, unit: string): string {
  const record = m.state.units[unit];
  const machine = record && m.state.machines[record.machine];
  if (!machine) throw new Error(`no machine for ${unit}`);
  const file = path.join(unitPaths(machine, unit).hostAgentDir, 'invocations.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

testWith([root], 'a namespace machine moves to a new address; hooks and relation data follow; destroy cleans up', async () => {
  const name = `emu-readdr-${process.pid}`;
  model = await Model.create({ name, backend: 'namespace', home });
  await model.deploy('tc', builtinCharm('test-charm'), { units: 2, machineOptions: { lxd: false, loopDevices: 0 } });
  expect((await model.settle()).failed).toEqual([]);
  const old = model.state.machines['1']?.address ?? '';
  const gateway = gatewayAddress(model.state.machines['1']?.cidr ?? '');
  const ranBefore = invocations(model, 'tc/1').split('\n').filter((l) => l.startsWith('RUN hooks/config-changed')).length;

  const address = await model.changeMachineAddress('1');
  expect(address).toMatch(/^10\.1\d\d\.\d+\.254$/);
  const addrs = await model.exec('1', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  expect(addrs.stdout.trim().split('\n')).toEqual([expect.stringContaining(` ${address}/24 `)]);
  expect((await model.exec('1', ['ip', 'route', 'show', 'default'])).stdout).toContain(`default via ${gateway} dev eth0`);
  expect((await model.exec('0', ['busybox', 'ping', '-c', '1', '-W', '2', address])).exitCode).toBe(0);
  expect((await model.exec('1', ['busybox', 'ping', '-c', '1', '-W', '2', gateway])).exitCode).toBe(0);
  expect((await model.exec('0', ['busybox', 'ping', '-c', '1', '-W', '1', old])).exitCode).not.toBe(0);
  expect((await readMachineRecord(model.state.dir, '1')).address).toBe(address);

  const report = await model.settle();
  expect(report.failed).toEqual([]);
  expect(report.ran.map((r) => `${r.unit} ${r.label}`).sort()).toEqual(['tc/0 peer-relation-changed (tc/1)', 'tc/1 config-changed']);
  expect(invocations(model, 'tc/1').split('\n').filter((l) => l.startsWith('RUN hooks/config-changed')).length).toBe(ranBefore + 1);
  expect(invocations(model, 'tc/0')).toContain(`"ingress-address":"${address}"`);
  expect(model.status().machines['1']?.address).toBe(address);

  await model.destroy();
  model = undefined;
  expect(readdirSync('/run/netns').filter((n) => n.startsWith(netnsPrefix(name)))).toEqual([]);
  expect((await tryRun(['ip', 'link', 'show', 'dev', bridgeName(name)])).exitCode).not.toBe(0);
});
