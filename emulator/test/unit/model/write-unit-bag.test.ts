// Model.writeUnitBag: a test playing one unit's side of a relation. Its bag changes as if its own hook
// had committed, so the units that joined it run -relation-changed; nothing runs on the unit itself.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Model } from '../../../src/model/model';
import { charmDir, fakeDirs, FakeMachines, FakeTools, PRINCIPAL_CHARM, SUB_CHARM } from '../agent/fakes';

const homes: string[] = [];
afterAll(() => [...homes, ...fakeDirs].forEach((h) => rmSync(h, { recursive: true, force: true })));

async function settledPeers(): Promise<{ m: Model; machines: FakeMachines }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'write-bag-test-'));
  homes.push(home);
  const tools = new FakeTools();
  const machines = new FakeMachines(tools, () => 0);
  const m = await Model.create({ name: 'write-bag-test', backend: machines, home, tools, clock: () => '2026-11-26T23:00:00Z' });
  await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 3, machineOptions: { lxd: false } });
  await m.deploy('subby', charmDir(SUB_CHARM));
  m.relate('subby', 'princy');
  await m.settle();
  return { m, machines };
}

test('the bag is replaced and the other peers (only they) get -relation-changed for that unit', async () => {
  const { m, machines } = await settledPeers();
  const before = machines.runs.length;
  m.writeUnitBag('subby/1', 'sub-peer', { hostname: '--help' });
  const peers = Object.values(m.state.relations).find((r) => r.key === 'subby:sub-peer');
  expect(peers?.unitBags['subby/1']).toEqual({ hostname: '--help' });
  await m.settle();
  const ran = machines.runs.slice(before).map((r) => `${r.env.JUJU_UNIT_NAME} ${r.env.JUJU_HOOK_NAME} ${r.env.JUJU_REMOTE_UNIT}`).sort();
  expect(ran).toEqual(['subby/0 sub-peer-relation-changed subby/1', 'subby/2 sub-peer-relation-changed subby/1']);
});

test('the same bag again queues nothing; an endpoint the unit does not have is refused', async () => {
  const { m } = await settledPeers();
  const bag = Object.values(m.state.relations).find((r) => r.key === 'subby:sub-peer')?.unitBags['subby/0'] ?? {};
  m.writeUnitBag('subby/0', 'sub-peer', { ...bag });
  expect(Object.values(m.state.units).flatMap((u) => u.queue)).toEqual([]);
  expect(() => m.writeUnitBag('subby/0', 'nope', {})).toThrow('subby/0 has no live relation on endpoint "nope"');
});
