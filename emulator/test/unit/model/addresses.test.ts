// A machine changing address, as Juju handles it: config-changed on every unit of the machine,
// network-get/unit-get answering the new address at once, the relation address keys rewritten when
// that config-changed commits (and only then), -relation-changed where a bag really changed.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalMachines } from '../../../src/machines/local';
import type { MachineRecord } from '../../../src/model/types';
import { chooseMachineAddress, queueAddressChanged } from '../../../src/model/addresses';
import { afterHook } from '../../../src/model/hook-effects';
import { Model } from '../../../src/model/model';
import { relateApps } from '../../../src/model/operations';
import { charmDir, fakeDirs, FakeMachines, FakeTools, PRINCIPAL_CHARM, SUB_CHARM, type FakeCharm } from '../agent/fakes';
import { contextFor, ok } from '../tools/builders';
import { addSubordinates, drain, modelWith, principalCharm, subordinateCharm } from './fixtures';

const homes: string[] = [];
afterAll(() => [...homes, ...fakeDirs].forEach((h) => rmSync(h, { recursive: true, force: true })));

/** The agent's fake machines, plus the optional re-address operation (records the calls). */
class ReaddressableMachines extends FakeMachines {
  readonly readdressed: Array<{ id: string; address: string }> = [];
  async changeAddress(machine: MachineRecord, address: string): Promise<MachineRecord> {
    this.readdressed.push({ id: machine.id, address });
    return { ...machine, address };
  }
}

async function modelOn(machinesOf: (tools: FakeTools, charm: FakeCharm) => FakeMachines, charm: FakeCharm = () => 0) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'readdress-test-'));
  homes.push(home);
  const tools = new FakeTools();
  const machines = machinesOf(tools, charm);
  const m = await Model.create({ name: 'readdress-test', backend: machines, home, tools, clock: () => '2026-11-26T23:00:00Z' });
  return { m, machines };
}

const hookOf = (env: Record<string, string>): string => env.JUJU_HOOK_NAME ?? '';

describe('chooseMachineAddress', () => {
  const state = () => {
    const s = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 3 }]); // machines 0-2: 10.0.0.10-12
    for (const machine of Object.values(s.machines)) machine.backend = 'namespace';
    return s;
  };

  test('without a request: the highest free address of the subnet, never another machine\'s', () => {
    const s = state();
    expect(chooseMachineAddress(s, '1')).toBe('10.0.0.254');
    s.machines['2']!.address = '10.0.0.254';
    expect(chooseMachineAddress(s, '1')).toBe('10.0.0.253');
  });

  test('a requested address is checked: on the subnet, a host address, free, not kept for a machine to come', () => {
    const s = state();
    expect(chooseMachineAddress(s, '1', '10.0.0.252')).toBe('10.0.0.252');
    expect(chooseMachineAddress(s, '1', '10.0.0.5')).toBe('10.0.0.5');
    const refused: Array<[string, RegExp]> = [
      ['abc', /"abc" is not an IPv4 address/],
      ['10.0.0.300', /not an IPv4 address/],
      ['010.0.0.5', /not an IPv4 address/],
      ['10.0.0.5; rm -rf /', /not an IPv4 address/],
      ['10.0.1.5', /not on machine 1's subnet 10\.0\.0\.0\/24/],
      ['10.0.0.0', /network, gateway or broadcast/],
      ['10.0.0.1', /network, gateway or broadcast/],
      ['10.0.0.255', /network, gateway or broadcast/],
      ['10.0.0.11', /machine 1 already has address 10\.0\.0\.11/],
      ['10.0.0.12', /in use by machine 2/],
      ['10.0.0.15', /kept for machine 5/], // machine 5 will be created with .15
    ];
    for (const [address, message] of refused) expect(() => chooseMachineAddress(s, '1', address)).toThrow(message);
    expect(() => chooseMachineAddress(s, '9', '10.0.0.200')).toThrow('machine "9" not found');
    expect(s.machines['1']?.address).toBe('10.0.0.11');
  });

  test('local machines pick from 127.0.0.0/8 and keep nothing for later machines', () => {
    const s = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 2 }]);
    for (const machine of Object.values(s.machines)) Object.assign(machine, { address: '127.0.0.1', cidr: '127.0.0.0/8' });
    expect(chooseMachineAddress(s, '0')).toBe('127.255.255.254');
    expect(chooseMachineAddress(s, '0', '127.0.0.15')).toBe('127.0.0.15');
  });
});

describe('queueAddressChanged and the commit of config-changed (pure)', () => {
  test('config-changed on the principal and its subordinate only; keys rewritten when it commits, -changed where they changed', () => {
    const s = modelWith([{ name: 'lxd', charm: subordinateCharm, units: 0 }, { name: 'nova-compute', charm: principalCharm, units: 3 }]);
    drain(s);
    relateApps(s, 'lxd', 'nova-compute');
    addSubordinates(s);
    drain(s);
    const migration = Object.values(s.relations).find((r) => r.key === 'lxd:lxd-migration');
    expect(migration?.unitBags['lxd/1']?.['private-address']).toBe('10.0.0.11');

    s.machines['1']!.address = '10.0.0.200';
    expect(queueAddressChanged(s, '1')).toEqual(['lxd/1', 'nova-compute/1']);
    const queued = Object.values(s.units).flatMap((u) => u.queue.map((e) => `${u.name} ${e.kind === 'hook' ? e.name : 'action'}`));
    expect(queued.sort()).toEqual(['lxd/1 config-changed', 'nova-compute/1 config-changed']);
    // not before the hook commits: remote units still read the old address
    expect(migration?.unitBags['lxd/1']?.['ingress-address']).toBe('10.0.0.11');

    const ran = drain(s);
    expect(migration?.unitBags['lxd/1']).toMatchObject({ 'private-address': '10.0.0.200', 'ingress-address': '10.0.0.200', 'egress-subnets': '10.0.0.200/32' });
    const containers = Object.values(s.relations).find((r) => r.key === 'lxd:lxd nova-compute:lxd');
    expect(containers?.unitBags['nova-compute/1']?.['ingress-address']).toBe('10.0.0.200');
    expect(containers?.unitBags['lxd/1']?.['ingress-address']).toBe('10.0.0.200');
    expect(containers?.unitBags['lxd/0']?.['ingress-address']).toBe('10.0.0.10');
    expect(ran.sort()).toEqual(
      [
        'lxd/0 lxd-migration-relation-changed remote=lxd/1',
        'lxd/1 config-changed',
        'lxd/1 lxd-relation-changed remote=nova-compute/1',
        'lxd/2 lxd-migration-relation-changed remote=lxd/1',
        'nova-compute/0 compute-peer-relation-changed remote=nova-compute/1',
        'nova-compute/1 config-changed',
        'nova-compute/1 lxd-relation-changed remote=lxd/1',
        'nova-compute/2 compute-peer-relation-changed remote=nova-compute/1',
      ].sort(),
    );
  });

  test('a config-changed that changes no address wakes nobody; a skipped one (resolve --no-retry) rewrites nothing', () => {
    const s = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 2 }]);
    drain(s);
    const peers = Object.values(s.relations).find((r) => r.key === 'nova-compute:compute-peer');
    const version = peers?.bagVersions['nova-compute/0'];
    const unit = s.units['nova-compute/0']!;
    afterHook(s, unit, { kind: 'hook', name: 'config-changed' }, '2026-11-26T23:00:00Z');
    expect(peers?.bagVersions['nova-compute/0']).toBe(version);
    expect(drain(s)).toEqual([]);

    s.machines['0']!.address = '10.0.0.77';
    afterHook(s, unit, { kind: 'hook', name: 'config-changed' }, '2026-11-26T23:00:00Z', { skipped: true });
    expect(peers?.unitBags['nova-compute/0']?.['private-address']).toBe('10.0.0.10');
    expect(drain(s)).toEqual([]);
  });
});

describe('Model.changeMachineAddress', () => {
  test('re-addresses through the backend, saves, and the hooks follow as in Juju; network-get answers the new address', async () => {
    const { m, machines } = await modelOn((tools, charm) => new ReaddressableMachines(tools, charm));
    await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 2, machineOptions: { lxd: false } });
    await m.deploy('subby', charmDir(SUB_CHARM));
    m.relate('subby', 'princy');
    await m.settle();
    const before = machines.runs.length;

    expect(await m.changeMachineAddress('1')).toBe('10.9.0.254');
    expect((machines as ReaddressableMachines).readdressed).toEqual([{ id: '1', address: '10.9.0.254' }]);
    expect(m.state.machines['1']?.address).toBe('10.9.0.254');
    expect(m.status().machines['1']?.address).toBe('10.9.0.254');
    const { run } = contextFor(m.state, 'subby/1');
    expect(ok(run('unit-get', 'private-address'))).toBe('10.9.0.254\n');
    expect(JSON.parse(ok(run('network-get', 'sub-peer', '--format=json')))['ingress-addresses']).toEqual(['10.9.0.254']);

    await m.settle();
    const ran = machines.runs.slice(before).map((r) => `${r.env.JUJU_UNIT_NAME} ${hookOf(r.env)} ${r.env.JUJU_REMOTE_UNIT ?? ''}`.trim());
    expect(ran.sort()).toEqual(
      [
        'princy/1 config-changed',
        'princy/1 host-relation-changed subby/1',
        'subby/0 sub-peer-relation-changed subby/1',
        'subby/1 config-changed',
        'subby/1 host-relation-changed princy/1',
      ].sort(),
    );
    const subPeer = Object.values(m.state.relations).find((r) => r.key === 'subby:sub-peer');
    expect(subPeer?.unitBags['subby/1']).toMatchObject({ 'private-address': '10.9.0.254', 'ingress-address': '10.9.0.254', 'egress-subnets': '10.9.0.254/32' });
    expect(subPeer?.unitBags['subby/0']?.['private-address']).toBe('10.9.0.2');
  });

  test('bad input and a backend that cannot re-address change nothing and queue nothing', async () => {
    const { m, machines } = await modelOn((tools, charm) => new ReaddressableMachines(tools, charm));
    await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 2, machineOptions: { lxd: false } });
    await m.settle();
    await expect(m.changeMachineAddress('1', '10.9.0.2')).rejects.toThrow('in use by machine 0');
    await expect(m.changeMachineAddress('7')).rejects.toThrow('machine "7" not found');
    expect((machines as ReaddressableMachines).readdressed).toEqual([]);
    expect(Object.values(m.state.units).flatMap((u) => u.queue)).toEqual([]);

    const plain = await modelOn((tools, charm) => new FakeMachines(tools, charm));
    await plain.m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 1, machineOptions: { lxd: false } });
    await expect(plain.m.changeMachineAddress('0', '10.9.0.100')).rejects.toThrow("the local machine backend cannot change a machine's address");
    expect(plain.m.state.machines['0']?.address).toBe('10.9.0.2');
  });

  test('local machines move within the loopback net only', async () => {
    const local = new LocalMachines();
    const record: MachineRecord = { id: '0', backend: 'local', hostname: 'local-0', address: '127.0.0.1', cidr: '127.0.0.0/8', mounts: {}, handles: {}, loopDevices: [], lxdPid: null };
    expect((await local.changeAddress(record, '127.0.0.9')).address).toBe('127.0.0.9');
    await expect(local.changeAddress(record, '10.0.0.9')).rejects.toThrow('local machines live on 127.0.0.0/8');
  });
});
