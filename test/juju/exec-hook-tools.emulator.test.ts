// ExecHookTools against the emulator's implementation of the hook tools (in-process through invokeTool,
// no processes): the argv this charm builds is accepted, and the JSON it reads is parsed, by tools that
// follow Juju's contract (flag parsing, formats, exit codes, commit model).
import { readFileSync } from 'node:fs';
import { contextFor, buildModel, relationHook } from '../../emulator/test/unit/tools/builders';
import { ExecHookTools } from '../../src/juju/exec-hook-tools';
import type { ToolRunner } from '../../src/juju/tool-runner';
import { invokeTool } from '../../emulator/src/tools/registry';
import type { HookContext } from '../../emulator/src/tools/hook-context';

/** Runs tools in-process; files named by key#file=<path> or --file <path> are read here, as jujuc would. */
function emulatorRunner(ctx: HookContext, seen: Array<readonly string[]>): ToolRunner {
  return async (tool, args, opts) => {
    seen.push([tool, ...args]);
    const files: Record<string, string> = {};
    for (const arg of args) {
      const path = /#file=(.+)$/.exec(arg)?.[1];
      if (path) files[path] = readFileSync(path, 'utf8');
    }
    const response = invokeTool(ctx, tool, args, { ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }), files });
    return { exitCode: response.code, stdout: response.stdout, stderr: response.stderr };
  };
}

test('reads: config, relations, bags, network, status', async () => {
  const state = buildModel();
  const { ctx } = contextFor(state, 'lxd/0', relationHook('lxd-relation-changed', 3, 'nova-compute/0', 'nova-compute'));
  const juju = new ExecHookTools(emulatorRunner(ctx, []));
  expect(await juju.configGet()).toEqual({ overwrite: false, 'storage-type': 'btrfs', 'pool-size': 10 });
  expect(await juju.relationIds('lxd-migration')).toEqual(['lxd-migration:0']);
  expect(await juju.relationList('lxd-migration:0')).toEqual(['lxd/1']);
  expect(await juju.relationGet('lxd:3', 'nova-compute/0')).toMatchObject({ user: 'nova' });
  expect(await juju.relationGet('lxd-migration:0', 'lxd', { app: true })).toEqual({ token: 'abc' });
  expect(await juju.relationGet('lxd:3', 'nova-compute', { app: true })).toEqual({ region: 'one' });
  expect((await juju.networkGet('lxd-migration')).bindAddresses[0]?.addresses[0]?.value).toBe('10.0.0.10');
  expect(await juju.stateGet()).toEqual({});
  expect(await juju.statusGet()).toEqual({ status: 'unknown', message: '' });
});

test('writes: relation data and state through --file -, deletes, status, log; committed on success', async () => {
  const state = buildModel();
  const { ctx, logs } = contextFor(state, 'lxd/0');
  const juju = new ExecHookTools(emulatorRunner(ctx, []));
  await juju.relationSet('lxd:3', { nonce: ' spaced value ', 'private-address': '' });
  await juju.relationSet('lxd-migration:0', { version: '1' }, { app: true });
  await juju.stateSet({ 'trust-password': 'yes: no' });
  await juju.statusSet({ status: 'active', message: '-starts with a dash' });
  await juju.log('WARNING', '--not a flag');
  await juju.applicationVersionSet('5.0.2');
  expect(await juju.relationGet('lxd:3', 'lxd/0')).toMatchObject({ nonce: ' spaced value ' });
  ctx.commit();
  expect(state.relations['3']?.unitBags['lxd/0']).toEqual({ 'egress-subnets': '10.0.0.10/32', 'ingress-address': '10.0.0.10', nonce: ' spaced value ' });
  expect(state.relations['0']?.appBags.lxd).toEqual({ token: 'abc', version: '1' });
  expect(state.units['lxd/0']?.state).toEqual({ 'trust-password': 'yes: no' });
  expect(state.units['lxd/0']?.workloadStatus).toMatchObject({ status: 'active', message: '-starts with a dash' });
  expect(logs.map((l) => l.message)).toContain('--not a flag');
});

test('secrets: added from 0600 files, read back, updated, described', async () => {
  const state = buildModel();
  const first = contextFor(state, 'lxd/0');
  const seen: Array<readonly string[]> = [];
  const juju = new ExecHookTools(emulatorRunner(first.ctx, seen));
  const id = await juju.secretAdd({ password: 'hunter2-secret' }, { owner: 'unit', label: 'trust', description: 'LXD trust password' });
  first.ctx.commit();
  expect(seen.flat().join(' ')).not.toContain('hunter2-secret');
  const second = contextFor(state, 'lxd/0');
  const later = new ExecHookTools(emulatorRunner(second.ctx, seen));
  expect(await later.secretGet({ id })).toEqual({ password: 'hunter2-secret' });
  expect(await later.secretGet({ label: 'trust' })).toEqual({ password: 'hunter2-secret' });
  expect(await later.secretInfoGet({ label: 'trust' })).toMatchObject({ label: 'trust', revision: 1, owner: 'unit' });
  await later.secretSet(id, { password: 'new-secret-value' });
  second.ctx.commit();
  expect(seen.flat().join(' ')).not.toContain('new-secret-value');
  const third = new ExecHookTools(emulatorRunner(contextFor(state, 'lxd/0').ctx, seen));
  expect(await third.secretGet({ id }, { refresh: true })).toEqual({ password: 'new-secret-value' });
});

test('refusals come back as HookToolError with Juju\'s text', async () => {
  const state = buildModel();
  const { ctx } = contextFor(state, 'lxd/1'); // not the leader
  const juju = new ExecHookTools(emulatorRunner(ctx, []));
  await expect(juju.relationSet('lxd-migration:0', { a: 'b' }, { app: true })).rejects.toMatchObject({ tool: 'relation-set', exitCode: 1, stderr: expect.stringContaining('cannot write relation settings') });
  await expect(juju.actionGet()).rejects.toMatchObject({ tool: 'action-get', exitCode: 1, stderr: expect.stringContaining('not running an action') });
  await expect(juju.relationGet('lxd:9', 'nova-compute/0')).rejects.toMatchObject({ exitCode: 2 });
});
