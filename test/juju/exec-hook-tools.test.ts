// ExecHookTools over a scripted runner (no processes): which tool runs with what argv and stdin, what
// comes back, how failures surface, what is read only once, and where secret content travels.
import { readFileSync, statSync, existsSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecHookTools } from '../../src/juju/exec-hook-tools';
import { HookToolError, HookToolOutputError } from '../../src/juju/hook-tools';
import type { ToolRunResult, ToolRunner } from '../../src/juju/tool-runner';

interface Recorded {
  tool: string;
  args: readonly string[];
  stdin?: string;
}

/** A runner answering each tool from a script; it records every call. */
function scripted(answers: Record<string, ToolRunResult | ((call: Recorded) => ToolRunResult)>): { runner: ToolRunner; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const runner: ToolRunner = async (tool, args, opts) => {
    const call: Recorded = opts.stdin === undefined ? { tool, args } : { tool, args, stdin: opts.stdin };
    calls.push(call);
    const answer = answers[tool];
    if (answer === undefined) return { exitCode: 127, stdout: '', stderr: `${tool}: not scripted` };
    return typeof answer === 'function' ? answer(call) : answer;
  };
  return { runner, calls };
}

const ok = (stdout = ''): ToolRunResult => ({ exitCode: 0, stdout, stderr: '' });

let secretDir: string;
beforeEach(() => {
  secretDir = mkdtempSync(join(tmpdir(), 'h1-secret-test-'));
});
afterEach(() => rmSync(secretDir, { recursive: true, force: true }));

test('a non-zero exit becomes HookToolError carrying the tool, exit code and stderr', async () => {
  const { runner } = scripted({ 'relation-set': { exitCode: 1, stdout: '', stderr: 'ERROR cannot write relation settings\n' } });
  const juju = new ExecHookTools(runner);
  const failure = juju.relationSet('lxd-migration:0', { a: 'b' }, { app: true });
  await expect(failure).rejects.toBeInstanceOf(HookToolError);
  await expect(failure).rejects.toMatchObject({ tool: 'relation-set', exitCode: 1, stderr: 'ERROR cannot write relation settings\n' });
  await expect(failure).rejects.toThrow('relation-set failed (exit 1): ERROR cannot write relation settings');
});

test('a usage error (exit 2) is a HookToolError too', async () => {
  const { runner } = scripted({ 'relation-get': { exitCode: 2, stdout: '', stderr: 'ERROR invalid value "lxd:9" for option -r: relation not found\n' } });
  await expect(new ExecHookTools(runner).relationGet('lxd:9', 'nova-compute/0')).rejects.toMatchObject({ exitCode: 2, tool: 'relation-get' });
});

test('reads parse JSON: a bag, a list, and null for "nothing"', async () => {
  const { runner, calls } = scripted({
    'relation-get': ok('{"private-address":"10.0.0.7","user":"nova"}\n'),
    'relation-ids': ok('null\n'),
    'state-get': ok(''),
  });
  const juju = new ExecHookTools(runner);
  expect(await juju.relationGet('lxd:1', 'nova-compute/0')).toEqual({ 'private-address': '10.0.0.7', user: 'nova' });
  expect(await juju.relationIds('lxd')).toEqual([]);
  expect(await juju.stateGet()).toEqual({});
  expect(calls.map((c) => c.tool)).toEqual(['relation-get', 'relation-ids', 'state-get']);
});

test('output that is not JSON is a HookToolOutputError', async () => {
  const { runner } = scripted({ 'state-get': ok('a: b\n') });
  await expect(new ExecHookTools(runner).stateGet()).rejects.toBeInstanceOf(HookToolOutputError);
});

test('config and network info are read once per hook; relation ids every time', async () => {
  const { runner, calls } = scripted({
    'config-get': ok('{"storage-type":"lvm"}'),
    'network-get': ok('{"ingress-addresses":["10.0.0.5"]}'),
    'relation-ids': ok('[]'),
  });
  const juju = new ExecHookTools(runner);
  for (let i = 0; i < 3; i += 1) {
    expect(await juju.configGet()).toEqual({ 'storage-type': 'lvm' });
    await juju.networkGet('lxd-migration');
    await juju.relationIds('lxd');
  }
  await juju.networkGet('lxd');
  expect(calls.map((c) => c.tool)).toEqual(['config-get', 'network-get', 'relation-ids', 'relation-ids', 'relation-ids', 'network-get']);
});

test('a failed read is not cached: the next call asks again', async () => {
  let attempts = 0;
  const { runner } = scripted({ 'config-get': () => (++attempts === 1 ? { exitCode: 1, stdout: '', stderr: 'ERROR connection refused' } : ok('{"a":"b"}')) });
  const juju = new ExecHookTools(runner);
  await expect(juju.configGet()).rejects.toBeInstanceOf(HookToolError);
  expect(await juju.configGet()).toEqual({ a: 'b' });
});

test('relation-set and state-set pass values on stdin, not argv; empty writes run nothing', async () => {
  const { runner, calls } = scripted({ 'relation-set': ok(), 'state-set': ok() });
  const juju = new ExecHookTools(runner);
  await juju.relationSet('lxd:1', { nonce: 'n1', password: 'hunter2-secret' });
  await juju.stateSet({ 'trust-password': 'hunter2-secret' });
  await juju.relationSet('lxd:1', {});
  await juju.stateSet({});
  expect(calls).toEqual([
    { tool: 'relation-set', args: ['-r', 'lxd:1', '--file', '-'], stdin: '{"nonce":"n1","password":"hunter2-secret"}' },
    { tool: 'state-set', args: ['--file', '-'], stdin: '{"trust-password":"hunter2-secret"}' },
  ]);
});

test('secret-add: content in 0600 files in a 0700 directory, named on argv by key#file=, removed afterwards', async () => {
  let seen: { mode: number; dirMode: number; content: string } | undefined;
  const { runner, calls } = scripted({
    'secret-add': (call) => {
      const arg = call.args.find((a) => a.startsWith('password#file=')) ?? '';
      const path = arg.slice('password#file='.length);
      seen = { mode: statSync(path).mode & 0o777, dirMode: statSync(join(path, '..')).mode & 0o777, content: readFileSync(path, 'utf8') };
      return ok('secret:cq8abc\n');
    },
  });
  const juju = new ExecHookTools(runner, { secretFileDir: secretDir });
  expect(await juju.secretAdd({ password: 'hunter2-secret' }, { owner: 'unit', label: 'pw' })).toBe('secret:cq8abc');
  expect(seen).toEqual({ mode: 0o600, dirMode: 0o700, content: 'hunter2-secret' });
  expect(calls[0]?.args.join(' ')).not.toContain('hunter2-secret');
  expect(calls[0]?.stdin).toBeUndefined();
  expect(readdirSync(secretDir)).toEqual([]);
});

test('secret-set removes its content files even when the tool fails', async () => {
  let path = '';
  const { runner } = scripted({
    'secret-set': (call) => {
      path = (call.args.find((a) => a.includes('#file=')) ?? '').split('#file=')[1] ?? '';
      return { exitCode: 1, stdout: '', stderr: 'ERROR permission denied\n' };
    },
  });
  const juju = new ExecHookTools(runner, { secretFileDir: secretDir });
  await expect(juju.secretSet('secret:x', { password: 'hunter2-secret' })).rejects.toMatchObject({ tool: 'secret-set', exitCode: 1 });
  expect(path).not.toBe('');
  expect(existsSync(path)).toBe(false);
  expect(readdirSync(secretDir)).toEqual([]);
});

test('invalid secret content is refused before any file is written or tool run', async () => {
  const { runner, calls } = scripted({});
  const juju = new ExecHookTools(runner, { secretFileDir: secretDir });
  await expect(juju.secretAdd({ pw: 'x' })).rejects.toThrow('not valid');
  expect(calls).toEqual([]);
  expect(readdirSync(secretDir)).toEqual([]);
});

test('secret-get returns the content map; secret-info-get the one entry', async () => {
  const { runner, calls } = scripted({
    'secret-get': ok('{"password":"hunter2-secret"}\n'),
    'secret-info-get': ok('{"cq8abc":{"revision":2,"label":"pw","owner":"unit"}}\n'),
  });
  const juju = new ExecHookTools(runner);
  expect(await juju.secretGet({ label: 'pw' })).toEqual({ password: 'hunter2-secret' });
  expect(await juju.secretInfoGet({ id: 'secret:cq8abc' })).toEqual({ id: 'cq8abc', revision: 2, label: 'pw', owner: 'unit' });
  expect(calls[0]?.args).toEqual(['--format=json', '--label', 'pw']);
});

test('status, logs and actions run the right tools', async () => {
  const { runner, calls } = scripted({
    'status-set': ok(), 'juju-log': ok(), 'action-set': ok(), 'action-fail': ok(), 'action-log': ok(),
    'application-version-set': ok(),
    'status-get': ok('{"message":"m","status":"waiting","status-data":{}}'), 'action-get': ok('{"user":"root"}'),
    'relation-list': ok('["lxd/1"]'),
  });
  const juju = new ExecHookTools(runner);
  await juju.statusSet({ status: 'active', message: 'Unit is ready' });
  await juju.log('DEBUG', 'hello');
  await juju.actionSet({ result: 'x' });
  await juju.actionSet({});
  await juju.actionFail('nope');
  await juju.actionLog('step');
  await juju.applicationVersionSet('5.0.2');
  expect(await juju.statusGet()).toEqual({ status: 'waiting', message: 'm' });
  expect(await juju.actionGet()).toEqual({ user: 'root' });
  expect(await juju.relationList('lxd-migration:0')).toEqual(['lxd/1']);
  expect(calls.map((c) => [c.tool, ...c.args].join(' '))).toEqual([
    'status-set -- active Unit is ready',
    'juju-log --log-level DEBUG -- hello',
    'action-set result=x',
    'action-fail -- nope',
    'action-log -- step',
    'application-version-set -- 5.0.2',
    'status-get --format=json --include-data',
    'action-get --format=json',
    'relation-list --format=json -r lxd-migration:0',
  ]);
});
