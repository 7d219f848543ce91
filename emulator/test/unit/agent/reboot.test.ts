import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootOrder, enabledOwnUnits, startsAfterLxd } from '../../../src/machines/boot';
import { Model } from '../../../src/model/model';
import { charmDir, fakeDirs, FakeMachines, FakeTools, PRINCIPAL_CHARM, SUB_CHARM, type FakeCharm } from './fakes';

const homes: string[] = [];
afterAll(() => [...homes, ...fakeDirs].forEach((h) => rmSync(h, { recursive: true, force: true })));

function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reboot-test-'));
  homes.push(dir);
  return dir;
}

async function model(charm: FakeCharm) {
  const tools = new FakeTools();
  const machines = new FakeMachines(tools, charm);
  const m = await Model.create({ name: 'reboot-test', backend: machines, home: tmp(), tools, clock: () => '2026-11-26T21:00:00Z' });
  return { m, machines };
}

test('enabled units are the ones linked from a .wants directory the machine wrote, LXD\'s own left out', () => {
  const dir = tmp();
  mkdirSync(path.join(dir, 'local-fs.target.wants'));
  mkdirSync(path.join(dir, 'multi-user.target.wants'));
  writeFileSync(path.join(dir, 'a.service'), '');
  symlinkSync(path.join(dir, 'a.service'), path.join(dir, 'local-fs.target.wants', 'a.service'));
  symlinkSync(path.join(dir, 'a.service'), path.join(dir, 'multi-user.target.wants', 'a.service'));
  symlinkSync('/lib/systemd/system/lxd.service', path.join(dir, 'multi-user.target.wants', 'lxd.service'));
  writeFileSync(path.join(dir, 'b.service'), ''); // not enabled
  return enabledOwnUnits(dir).then((units) => expect(units).toEqual(['a.service']));
});

test('a unit ordered After= one of LXD\'s starts after it; Before= or no order starts before', () => {
  expect(startsAfterLxd('[Unit]\nAfter=network.target lxd.service\n')).toBe(true);
  expect(startsAfterLxd('[Unit]\nAfter=lxd-containers.service\n')).toBe(true);
  expect(startsAfterLxd('[Unit]\nBefore=lxd.service\nAfter=local-fs.target\n')).toBe(false);
  expect(startsAfterLxd('[Service]\nExecStart=/bin/true\n')).toBe(false);
  // the snap's units too, on a snap-shaped machine
  expect(startsAfterLxd('[Unit]\nAfter=snap.lxd.daemon.service\n')).toBe(true);
  expect(startsAfterLxd('[Unit]\nBefore=lxd.service snap.lxd.daemon.service\n')).toBe(false);
});

test('units start in their Before=/After= order among themselves, by name otherwise', () => {
  const text = new Map([
    ['a.service', '[Unit]\nAfter=z-loops.service\n'],
    ['b.service', ''],
    ['z-loops.service', '[Unit]\nBefore=lxd.service m.service\n'],
    ['m.service', ''],
  ]);
  expect(bootOrder(['a.service', 'b.service', 'm.service', 'z-loops.service'], text)).toEqual(['b.service', 'z-loops.service', 'a.service', 'm.service']);
  // a cycle still starts everything once
  const cycle = new Map([['x.service', 'After=y.service'], ['y.service', 'After=x.service']]);
  expect(bootOrder(['y.service', 'x.service'], cycle)).toEqual(['x.service', 'y.service']);
});

test('reboot queues start on every unit of the machine (principal and subordinate) and on no other', async () => {
  const ran: string[] = [];
  const { m, machines } = await model((env) => {
    ran.push(`${env.JUJU_UNIT_NAME} ${env.JUJU_HOOK_NAME}`);
    return 0;
  });
  await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 2, machineOptions: { lxd: false } });
  await m.deploy('subby', charmDir(SUB_CHARM));
  m.relate('subby', 'princy');
  await m.settle();
  ran.length = 0;
  await m.reboot('princy/1');
  expect(machines.reboots).toEqual(['1']);
  await m.settle();
  expect(ran.sort()).toEqual(['princy/1 start', 'subby/1 start'].sort());
  await expect(m.reboot('7')).rejects.toThrow('machine "7" not found');
});

test('reboot is refused while a unit of the machine runs an operation', async () => {
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = false;
  const { m, machines } = await model(async (env) => {
    if (env.JUJU_HOOK_NAME === 'update-status') {
      holding = true;
      await held;
    }
    return 0;
  });
  await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 1, machineOptions: { lxd: false } });
  await m.settle();
  m.updateStatus();
  const settling = m.settle();
  while (!holding) await new Promise((r) => setTimeout(r, 1));
  await expect(m.reboot('0')).rejects.toThrow('machine 0 is running an operation of princy/0; reboot it when they are idle');
  release();
  await settling;
  expect(machines.reboots).toEqual([]);
});
