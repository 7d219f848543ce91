import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HookStormError } from '../../../src/agent/scheduler';
import { Model } from '../../../src/model/model';
import { charmDir, fakeDirs, FakeMachines, FakeTools, PEER_CHARM, PRINCIPAL_CHARM, SUB_CHARM, type FakeCharm } from './fakes';

const homes: string[] = [];
afterAll(() => [...homes, ...fakeDirs].forEach((h) => rmSync(h, { recursive: true, force: true })));

async function model(charm: FakeCharm) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'agent-test-'));
  homes.push(home);
  const tools = new FakeTools();
  const machines = new FakeMachines(tools, charm);
  const m = await Model.create({ name: 'agent-test', backend: machines, home, tools, clock: () => '2026-11-26T21:00:00Z' });
  return { m, tools, machines };
}

const hookOf = (env: Record<string, string>) => env.JUJU_HOOK_NAME ?? '';

describe('hook environment (contract §2)', () => {
  test('exactly the documented variables: no HOME/USER, remote unit empty in -created, departing only in -departed', async () => {
    const { m, machines } = await model(() => 0);
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 2, machineOptions: { lxd: false } });
    await m.settle();
    m.removeUnit('peery/1');
    await m.settle();
    const envs = machines.runs.map((r) => r.env);
    const install = envs.find((e) => hookOf(e) === 'install' && e.JUJU_UNIT_NAME === 'peery/0');
    expect(Object.keys(install ?? {}).sort()).toEqual(
      [
        'CHARM_DIR', 'CLOUD_API_VERSION', 'JUJU_AGENT_SOCKET_ADDRESS', 'JUJU_AGENT_SOCKET_NETWORK', 'JUJU_API_ADDRESSES',
        'JUJU_AVAILABILITY_ZONE', 'JUJU_CHARM_DIR', 'JUJU_CHARM_FTP_PROXY', 'JUJU_CHARM_HTTPS_PROXY', 'JUJU_CHARM_HTTP_PROXY',
        'JUJU_CHARM_NO_PROXY', 'JUJU_CONTEXT_ID', 'JUJU_DISPATCH_PATH', 'JUJU_HOOK_NAME', 'JUJU_MACHINE_ID', 'JUJU_MODEL_NAME',
        'JUJU_MODEL_UUID', 'JUJU_PRINCIPAL_UNIT', 'JUJU_UNIT_NAME', 'JUJU_VERSION', 'LANG', 'PATH', 'TERM',
      ].sort(),
    );
    expect(install?.JUJU_DISPATCH_PATH).toBe('hooks/install');
    expect(install?.PATH?.split(':')[0]).toMatch(/\/var-lib-juju\/tools\/unit-peery-0$|\/tools\/unit-peery-0$/);
    expect(install?.JUJU_CONTEXT_ID).toMatch(/^peery\/0-install-[0-9a-f]{32}$/);
    const created = envs.find((e) => hookOf(e) === 'peer-relation-created');
    expect(created).toMatchObject({ JUJU_RELATION: 'peer', JUJU_REMOTE_UNIT: '', JUJU_REMOTE_APP: 'peery' });
    expect(created?.JUJU_RELATION_ID).toMatch(/^peer:\d+$/);
    expect(created).not.toHaveProperty('JUJU_DEPARTING_UNIT');
    const departed = envs.filter((e) => hookOf(e) === 'peer-relation-departed');
    expect(departed.map((e) => [e.JUJU_UNIT_NAME, e.JUJU_REMOTE_UNIT, e.JUJU_DEPARTING_UNIT]).sort()).toEqual([
      ['peery/0', 'peery/1', 'peery/1'],
      ['peery/1', 'peery/0', 'peery/1'],
    ]);
    expect(m.status().machines).not.toHaveProperty('1'); // the removed unit's machine went with it
  });
});

describe('commit and failure (contract §4.6, §4.8)', () => {
  const writesThenMaybeFails =
    (failing: string): FakeCharm =>
    (env, ctx) => {
      if (hookOf(env) === 'config-changed') ctx.relationSet(Number(Object.keys(ctx.req.state.relations)[0]), 'k', env.JUJU_UNIT_NAME ?? '');
      return hookOf(env) === failing ? 1 : 0;
    };

  test('a failing hook is discarded, the unit is in error, queued hooks wait, resolve re-runs it', async () => {
    let failing = 'config-changed';
    const { m, tools } = await model((env, ctx) => writesThenMaybeFails(failing)(env, ctx));
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 1, machineOptions: { lxd: false } });
    const report = await m.settle();
    expect(report.failed.map((f) => f.label)).toEqual(['config-changed']);
    const unit = m.state.units['peery/0'];
    expect(unit?.workloadStatus).toMatchObject({ status: 'error', message: 'hook failed: "config-changed"' });
    expect(unit?.agentStatus.status).toBe('error');
    expect(unit?.queue.map((e) => (e.kind === 'hook' ? e.name : 'action'))).toEqual(['start']);
    expect(tools.all.filter((c) => c.discarded)).toHaveLength(1);
    const rel = Object.values(m.state.relations)[0];
    expect(rel?.unitBags['peery/0']?.k).toBeUndefined();
    expect(() => m.resolve('peery/1')).toThrow('unit "peery/1" not found');
    failing = '';
    m.resolve('peery/0');
    const again = await m.settle();
    expect(again.ran.map((r) => r.label)).toEqual(['config-changed', 'start']);
    expect(rel?.unitBags['peery/0']?.k).toBe('peery/0');
    expect(m.state.units['peery/0']?.workloadStatus.status).toBe('unknown'); // the charm never set one
  });

  test('resolve --no-retry skips the failed hook and its follow-ups still run', async () => {
    const { m } = await model(writesThenMaybeFails('config-changed'));
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 1, machineOptions: { lxd: false } });
    await m.settle();
    m.resolve('peery/0', { noRetry: true });
    const report = await m.settle();
    expect(report.ran.map((r) => r.label)).toEqual(['start']);
    expect(m.state.units['peery/0']?.life).toBe('alive');
  });

  test('leader-set takes effect at once: a leader hook that then fails still wakes the followers', async () => {
    let setAndFail = false;
    const { m } = await model((env, ctx) => {
      if (!setAndFail || hookOf(env) !== 'update-status' || env.JUJU_UNIT_NAME !== m.state.applications.peery?.leader) return 0;
      ctx.leaderSettingsChanged = true; // what leader-set records in the real context
      return 1;
    });
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 2, machineOptions: { lxd: false } });
    await m.settle();
    setAndFail = true;
    m.updateStatus();
    const report = await m.settle();
    const leader = m.state.applications.peery?.leader ?? '?';
    const follower = leader === 'peery/0' ? 'peery/1' : 'peery/0';
    expect(report.failed.map((f) => `${f.unit} ${f.label}`)).toEqual([`${leader} update-status`]);
    expect(report.ran.map((r) => `${r.unit} ${r.label}`)).toContain(`${follower} leader-settings-changed`);
  });
});

describe('scheduling (contract §4.1)', () => {
  test('a principal and its subordinate never run at once; different machines run in parallel', async () => {
    const slow: FakeCharm = () => new Promise((resolve) => setTimeout(() => resolve(0), 5));
    const { m, machines } = await model(slow);
    await m.deploy('princy', charmDir(PRINCIPAL_CHARM), { units: 3, machineOptions: { lxd: false } });
    await m.deploy('subby', charmDir(SUB_CHARM));
    m.relate('subby', 'princy');
    await m.settle();
    expect(Object.keys(m.state.units).sort()).toEqual(['princy/0', 'princy/1', 'princy/2', 'subby/0', 'subby/1', 'subby/2']);
    expect(machines.maxPerMachine).toBe(1);
    expect(machines.maxOverall).toBeGreaterThan(1);
    expect(m.status().applications.princy?.units['princy/0']?.subordinates).toHaveProperty('subby/0');
  });

  test('a relation-changed storm is reported as an error naming the unit and the cycle, not a hang', async () => {
    let n = 0;
    const pingPong: FakeCharm = (env, ctx) => {
      if (hookOf(env) === 'peer-relation-changed') ctx.relationSet(Number(env.JUJU_RELATION_ID?.split(':')[1]), 'pong', String((n += 1)));
      return 0;
    };
    const { m } = await model(pingPong);
    await m.deploy('peery', charmDir(PEER_CHARM), { units: 2, machineOptions: { lxd: false } });
    const err = await m.settle({ maxHooks: 40 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookStormError);
    expect((err as Error).message).toMatch(/hook storm on peery\/\d: .*peer-relation-changed \(peery\/\d\) → peer-relation-changed/);
  });

  test('actions run while the unit is in error', async () => {
    const actions = 'hello:\n  params: {}\n';
    const { m } = await model((env) => (hookOf(env) === 'install' ? 1 : 0));
    await m.deploy('peery', charmDir(PEER_CHARM, { 'actions.yaml': actions }), { units: 1, machineOptions: { lxd: false } });
    await m.settle();
    const action = await m.run('peery/0', 'hello');
    expect(action.status).toBe('completed');
    expect(m.state.units['peery/0']?.erroredEvent).toMatchObject({ name: 'install' });
  });
});
