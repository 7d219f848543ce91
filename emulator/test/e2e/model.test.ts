// The emulator's rules end to end: the test charm's hooks as real processes with real hook tools,
// on LocalMachines (fast, no isolation), and one model on NamespaceMachines (real netns + LXD).

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, CharmError, HookStormError, loadCharm, Model } from '../../src/index';
import { unitPaths } from '../../src/agent/paths';

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-e2e-'));
const models: Model[] = [];
const scratchDirs: string[] = [];
afterAll(async () => {
  for (const model of models) await model.destroy().catch(() => undefined);
  for (const dir of [home, ...scratchDirs]) rmSync(dir, { recursive: true, force: true });
});

function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

async function localModel(name: string): Promise<Model> {
  const model = await Model.create({ name, backend: 'local', home });
  models.push(model);
  return model;
}

function agentDir(model: Model, unit: string): string {
  const record = model.state.units[unit];
  const machine = record && model.state.machines[record.machine];
  if (!machine) throw new Error(`no machine for ${unit}`);
  return unitPaths(machine, unit).hostAgentDir;
}

function invocations(model: Model, unit: string): string[] {
  const file = path.join(agentDir(model, unit), 'invocations.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function runs(model: Model, unit: string): string[] {
  return invocations(model, unit)
    .filter((l) => l.startsWith('RUN '))
    .map((l) => l.split(' ').slice(1, 3).join(' ').replace(' remote=<unset>', '').replace(/ remote=$/, ''));
}

function envOf(model: Model, unit: string, dispatchPath: string): Record<string, string> {
  const text = readFileSync(path.join(agentDir(model, unit), 'env', dispatchPath.replace('/', '_')), 'utf8');
  return Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const localOnly = { machineOptions: { lxd: false, loopDevices: 0 } };

describe('test charm on local machines', () => {
  let model: Model;
  beforeAll(async () => {
    model = await localModel('emu-local');
    await model.deploy('tc', builtinCharm('test-charm'), { units: 2, ...localOnly });
    await model.settle();
  });

  test('deploy order, as real processes', () => {
    expect(runs(model, 'tc/0').slice(0, 5)).toEqual([
      'hooks/install',
      'hooks/peer-relation-created',
      'hooks/leader-elected',
      'hooks/config-changed',
      'hooks/start',
    ]);
    expect(runs(model, 'tc/1')).toEqual(
      expect.arrayContaining(['hooks/leader-settings-changed', 'hooks/peer-relation-joined remote=tc/0', 'hooks/peer-relation-changed remote=tc/0']),
    );
    const joined = runs(model, 'tc/1').indexOf('hooks/peer-relation-joined remote=tc/0');
    expect(runs(model, 'tc/1')[joined + 1]).toBe('hooks/peer-relation-changed remote=tc/0');
    expect(model.status().applications.tc?.units['tc/0']).toMatchObject({ workload: { status: 'active', message: 'ready' }, agent: { status: 'idle' }, leader: true });
  });

  test('the hook environment is exactly Juju\'s', () => {
    const env = envOf(model, 'tc/1', 'hooks/peer-relation-joined');
    expect(env).not.toHaveProperty('HOME');
    expect(env).not.toHaveProperty('USER');
    expect(env).toMatchObject({ JUJU_UNIT_NAME: 'tc/1', JUJU_REMOTE_UNIT: 'tc/0', JUJU_REMOTE_APP: 'tc', JUJU_RELATION: 'peer', JUJU_PRINCIPAL_UNIT: '', JUJU_VERSION: '3.6.4' });
    expect(env.PWD).toBe(env.JUJU_CHARM_DIR);
    expect(envOf(model, 'tc/0', 'hooks/install')).not.toHaveProperty('JUJU_RELATION');
  });

  test('committed relation data reaches the peer; the automatic keys are there', () => {
    const data = invocations(model, 'tc/1').filter((l) => l.startsWith('DATA tc/0 '));
    const last = JSON.parse((data[data.length - 1] ?? '').slice('DATA tc/0 '.length)) as Record<string, string>;
    expect(last).toMatchObject({ greeting: 'hello', 'private-address': '127.0.0.1', 'ingress-address': '127.0.0.1', 'egress-subnets': '127.0.0.1/32' });
  });

  test('a failing hook commits nothing, leaves the unit in error; resolve re-runs it', async () => {
    expect(model.config('tc', { greeting: 'bye', 'fail-hook': 'config-changed' })).toBe(true);
    const report = await model.settle();
    expect(report.failed.map((f) => `${f.unit} ${f.label}`).sort()).toEqual(['tc/0 config-changed', 'tc/1 config-changed']);
    const peer = Object.values(model.state.relations).find((r) => r.key === 'tc:peer');
    expect(peer?.unitBags['tc/0']?.greeting).toBe('hello');
    expect(model.state.units['tc/0']?.state.greeting).toBe('hello');
    expect(model.status().applications.tc?.units['tc/0']?.workload).toMatchObject({ status: 'error', message: 'hook failed: "config-changed"' });
    expect(model.debugLog('tc/0')).toMatch(/WARNING unit\.tc\/0\.config-changed failing config-changed as configured/);
    // actions still run while the unit is in error
    const action = await model.run('tc/0', 'record', { suffix: '?' });
    expect(action).toMatchObject({ status: 'completed', results: { unit: 'tc/0', greeting: 'bye?' } });
    model.config('tc', { 'fail-hook': '' });
    model.resolve('tc/0');
    model.resolve('tc/1');
    const again = await model.settle();
    expect(again.failed).toEqual([]);
    expect(peer?.unitBags['tc/0']?.greeting).toBe('bye');
    expect(model.state.units['tc/1']?.state.greeting).toBe('bye');
    expect(model.status().applications.tc?.units['tc/0']?.workload).toMatchObject({ status: 'active', message: 'ready' });
    const seen = invocations(model, 'tc/1').filter((l) => l.startsWith('DATA tc/0 ')).pop() ?? '';
    expect(JSON.parse(seen.slice('DATA tc/0 '.length))).toMatchObject({ greeting: 'bye' });
  });

  test('only the leader writes the app bag; the peer sees it with an empty remote unit', async () => {
    model.config('tc', { 'try-app-write': true });
    await model.settle();
    expect(invocations(model, 'tc/0')).toContain('APPWRITE tc/0 0');
    expect(invocations(model, 'tc/1')).toContain('APPWRITE tc/1 1');
    expect(invocations(model, 'tc/1').join('\n')).toMatch(/ERROR cannot write relation settings/);
    const peer = Object.values(model.state.relations).find((r) => r.key === 'tc:peer');
    expect(peer?.appBags.tc).toEqual({ 'app-greeting': 'bye from tc/0' });
    expect(invocations(model, 'tc/1')).toContain('APPDATA tc {"app-greeting":"bye from tc/0"}');
    // the leader gets no -changed for its own app-bag write
    expect(runs(model, 'tc/0')).not.toContain('hooks/peer-relation-changed');
  });

  test('actions: action-fail gives failed with its message; bad parameters never reach the charm', async () => {
    await expect(model.run('tc/1', 'record', { nope: 1 })).rejects.toThrow('additional property "nope" is not allowed');
    const failed = await model.run('tc/1', 'fail');
    expect(failed).toMatchObject({ status: 'failed', message: 'asked to fail' });
  });

  test('update-status and remove-unit with departures on both sides', async () => {
    model.updateStatus();
    await model.settle();
    expect(model.status().applications.tc?.units['tc/1']?.workload.message).toBe('updated: bye');
    const machine = model.state.units['tc/1']?.machine ?? '';
    const tc1Dir = agentDir(model, 'tc/1');
    model.removeUnit('tc/1');
    await model.settle();
    expect(runs(model, 'tc/0')).toContain('hooks/peer-relation-departed remote=tc/1');
    expect(invocations(model, 'tc/0').join('\n')).toMatch(/RUN hooks\/peer-relation-departed remote=tc\/1 departing=tc\/1 relation=peer:\d+ members=$/m);
    expect(model.state.machines[machine]).toBeUndefined();
    expect(existsSync(tc1Dir)).toBe(false);
  });
});

describe('storms and subordinates on local machines', () => {
  test('hook tools work when the agent socket path is too long for a unix socket', async () => {
    const longHome = scratch(`emu-long-${'x'.repeat(60)}-`);
    const model = await Model.create({ name: 'emu-long-socket-model', backend: 'local', home: longHome });
    models.push(model);
    await model.deploy('test-subordinate-principal', builtinCharm('test-charm'), { units: 1, ...localOnly });
    const report = await model.settle();
    expect(report.failed).toEqual([]);
    expect(model.status().applications['test-subordinate-principal']?.units['test-subordinate-principal/0']?.workload.message).toBe('ready');
  });

  test('a relation-changed ping-pong is reported as a hook storm', async () => {
    const model = await localModel('emu-storm');
    await model.deploy('tc', builtinCharm('test-charm'), { units: 2, config: { 'ping-pong': true }, ...localOnly });
    const err = await model.settle({ maxHooks: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookStormError);
    expect((err as Error).message).toMatch(/peer-relation-changed \(tc\/\d\) → peer-relation-changed \(tc\/\d\)$/);
  });

  test('a subordinate gets one unit per principal, on its machine, with JUJU_PRINCIPAL_UNIT', async () => {
    const model = await localModel('emu-sub');
    await model.deploy('tc', builtinCharm('test-charm'), { units: 2, ...localOnly });
    await model.deploy('ts', builtinCharm('test-subordinate'));
    expect(Object.keys(model.state.units).filter((u) => u.startsWith('ts/'))).toEqual([]);
    model.relate('ts', 'tc');
    await model.settle();
    expect(model.state.units['ts/1']).toMatchObject({ principal: 'tc/1', machine: model.state.units['tc/1']?.machine });
    expect(envOf(model, 'ts/1', 'hooks/install').JUJU_PRINCIPAL_UNIT).toBe('tc/1');
    expect(runs(model, 'ts/1')).toContain('hooks/container-relation-joined remote=tc/1');
    expect(runs(model, 'ts/1')).not.toContain('hooks/container-relation-joined remote=tc/0');
    expect(runs(model, 'ts/1')).toContain('hooks/peer-relation-joined remote=ts/0');
  });
});

describe('namespace machines: nova-compute stand-in with a test subordinate', () => {
  test('three machines settle, each with its own nova user, address and LXD', async () => {
    const model = await Model.create({ name: 'emu-ns', backend: 'namespace', home });
    models.push(model);
    try {
      await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 3, machineOptions: { lxd: true, loopDevices: 0 } });
      await model.deploy('ts', builtinCharm('test-subordinate'));
      model.relate('ts', 'nova-compute');
      const report = await model.settle();
      expect(report.failed.map((f) => `${f.unit} ${f.label}\n${model.debugLog(f.unit)}`)).toEqual([]);
      const status = model.status();
      const addresses = Object.values(status.machines).map((m) => m.address);
      expect(new Set(addresses).size).toBe(3);
      for (const [name, unit] of Object.entries(status.applications['nova-compute']?.units ?? {})) {
        expect(unit.workload).toMatchObject({ status: 'waiting', message: 'waiting for the lxd subordinate' });
        expect(Object.keys(unit.subordinates)).toHaveLength(1);
        const sub = Object.keys(unit.subordinates)[0] ?? '';
        expect(unit.subordinates[sub]?.workload).toMatchObject({ status: 'active', message: 'ready' });
        // the subordinate saw nova's `user=nova` over the container relation
        expect(invocations(model, sub).join('\n')).toContain(`DATA ${name} `);
        expect(invocations(model, sub).join('\n')).toMatch(/"user":"nova"/);
      }
      const nova = await model.exec('nova-compute/0', ['id', '-u', 'nova']);
      expect(nova.exitCode).toBe(0);
      const lxc = await model.exec('0', ['lxc', 'list', '--format', 'csv']);
      expect(lxc).toMatchObject({ exitCode: 0 });
      const hostUser = await model.exec('0', ['sh', '-c', 'getent passwd nova >/dev/null && hostname']);
      expect(hostUser.stdout.trim()).toBe(status.machines['0']?.hostname);
      // users made on a machine exist only there
      expect(spawnSync('getent', ['passwd', 'nova']).status).not.toBe(0);
    } finally {
      await model.destroy();
      models.splice(models.indexOf(model), 1);
    }
  });
});

describe('packed charms', () => {
  function zipOf(dir: string): string {
    const out = path.join(scratch('emu-zip-'), 'c.charm');
    execFileSync('zip', ['-q', '-r', '-y', out, '.'], { cwd: dir });
    return out;
  }

  test('a .charm unpacks with its modes and relative symlinks and deploys', async () => {
    const src = scratch('emu-charm-');
    cpSync(builtinCharm('test-charm'), src, { recursive: true });
    mkdirSync(path.join(src, 'hooks'));
    symlinkSync('../dispatch', path.join(src, 'hooks', 'install'));
    const unpackRoot = scratch('emu-unpack-');
    const charm = loadCharm(zipOf(src), unpackRoot);
    expect(charm.meta.name).toBe('test-charm');
    expect(statSync(path.join(charm.dir, 'dispatch')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(path.join(charm.dir, 'hooks', 'install'))).toBe('../dispatch');
    const model = await localModel('emu-zip');
    await model.deploy('z', zipOf(src), { units: 1, ...localOnly });
    await model.settle();
    expect(model.status().applications.z?.units['z/0']?.workload.message).toBe('ready');
  });

  test('absolute or escaping symlinks are refused', () => {
    for (const [target, message] of [
      ['/etc/passwd', 'symlink "evil" is absolute: "/etc/passwd"'],
      ['../../outside', 'symlink "evil" links out of charm: "../../outside"'],
    ] as const) {
      const src = scratch('emu-charm-');
      cpSync(builtinCharm('test-charm'), src, { recursive: true });
      symlinkSync(target, path.join(src, 'evil'));
      const unpackRoot = scratch('emu-unpack-');
      expect(() => loadCharm(zipOf(src), unpackRoot)).toThrow(new CharmError(message));
      expect(() => loadCharm(src, unpackRoot)).toThrow(message);
    }
  });
});
