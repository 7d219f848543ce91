// Dispatch: the handler the table names runs; unknown hooks are logged and ignored; a failing handler is
// logged at ERROR and exits non-zero (its pending writes dropped); an unknown action fails clearly.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { actions, converge, eventTable, handledHookNames, hooks, updateStatus } from '../../src/events';
import { operatorActions } from '../../src/handlers/actions';
import YAML from 'yaml';
import { dispatchEvent, type DispatchServices, type EventTable } from '../../src/juju/dispatcher';
import { HookToolError, type LogLevel } from '../../src/juju/hook-tools';
import { aUnit } from '../builders/juju-state';
import { actionEvent, hookEvent } from '../builders/juju-events';
import { FakeJuju } from '../fakes/fake-juju';

const repoRoot = join(__dirname, '..', '..');

/** Runs one event through `table` the way main does, committing on exit 0 as Juju would. */
async function fire(juju: FakeJuju, event: DispatchServices['event'], table: EventTable<DispatchServices>): Promise<{ exitCode: number; stderr: string[] }> {
  const stderr: string[] = [];
  const exitCode = await dispatchEvent({ event, juju }, table, (line) => stderr.push(line));
  if (exitCode === 0) juju.commit();
  else juju.rollback();
  return { exitCode, stderr };
}

test('a known hook runs its handler and its writes are committed', async () => {
  const juju = new FakeJuju(aUnit().withPeerRelation());
  const table: EventTable<DispatchServices> = {
    hooks: { 'config-changed': async (s) => { await s.juju.stateSet({ seen: 'yes' }); await s.juju.statusSet({ status: 'active', message: 'ok' }); } },
    actions: {},
  };
  expect(await fire(juju, hookEvent('config-changed', juju.state), table)).toEqual({ exitCode: 0, stderr: [] });
  expect(juju.state.charmState).toEqual({ seen: 'yes' });
  expect(juju.unitStatus).toEqual({ status: 'active', message: 'ok' });
});

test('an unknown hook is logged and ignored: exit 0, nothing else happens', async () => {
  const juju = new FakeJuju(aUnit());
  const result = await fire(juju, hookEvent('collect-metrics', juju.state), { hooks: {}, actions: {} });
  expect(result.exitCode).toBe(0);
  expect(juju.logs).toEqual(['INFO hook collect-metrics has no handler in this charm: ignored']);
  expect(juju.writes).toEqual([]);
});

test('a name inherited from Object.prototype is not a handler', async () => {
  const juju = new FakeJuju(aUnit());
  expect((await fire(juju, hookEvent('constructor', juju.state), { hooks: {}, actions: {} })).exitCode).toBe(0);
  expect(juju.logs).toEqual(['INFO hook constructor has no handler in this charm: ignored']);
});

test('a failing handler: its message at ERROR through juju-log, a non-zero exit, its pending writes dropped', async () => {
  const juju = new FakeJuju(aUnit().withState({ kept: 'before' }));
  const table: EventTable<DispatchServices> = {
    hooks: {
      'config-changed': async (s) => {
        await s.juju.stateSet({ kept: 'after' });
        await s.juju.statusSet({ status: 'maintenance', message: 'configuring' });
        throw new Error('pool lxd cannot be created: no space');
      },
    },
    actions: {},
  };
  const result = await fire(juju, hookEvent('config-changed', juju.state), table);
  expect(result.exitCode).not.toBe(0);
  expect(juju.logs).toEqual(['ERROR hook config-changed failed: Error: pool lxd cannot be created: no space']);
  expect(juju.state.charmState).toEqual({ kept: 'before' });
  expect(juju.unitStatus).toEqual({ status: 'maintenance', message: 'configuring' }); // immediate, survives
});

test('a thrown non-Error value is not printed (it could be anything, a secret included)', async () => {
  const juju = new FakeJuju(aUnit());
  const table: EventTable<DispatchServices> = { hooks: { start: () => Promise.reject('hunter2-secret') }, actions: {} };
  expect((await fire(juju, hookEvent('start', juju.state), table)).exitCode).toBe(1);
  expect(juju.logs.join('\n')).not.toContain('hunter2-secret');
  expect(juju.logs).toEqual(['ERROR hook start failed: a non-Error value (string) was thrown']);
});

class BrokenLogJuju extends FakeJuju {
  override async log(_level: LogLevel, _message: string): Promise<void> {
    throw new HookToolError('juju-log', 1, 'ERROR connection refused\n');
  }
}

test('when juju-log itself fails, the error goes to stderr and the exit is still non-zero', async () => {
  const juju = new BrokenLogJuju(aUnit());
  const table: EventTable<DispatchServices> = { hooks: { start: () => Promise.reject(new Error('boom')) }, actions: {} };
  const result = await fire(juju, hookEvent('start', juju.state), table);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toEqual(['ERROR hook start failed: Error: boom', 'WARNING juju-log failed: HookToolError: juju-log failed (exit 1): ERROR connection refused']);
});

test('a known action runs its handler', async () => {
  const juju = new FakeJuju(aUnit().runningAction('list-remotes', { user: 'nova' }));
  const table: EventTable<DispatchServices> = { hooks: {}, actions: { 'list-remotes': async (s) => s.juju.actionSet({ user: String((await s.juju.actionGet()).user) }) } };
  expect((await fire(juju, actionEvent('list-remotes', juju.state), table)).exitCode).toBe(0);
  expect(juju.state.action).toMatchObject({ results: { user: 'nova' }, failed: null });
});

test('an unknown action fails with a message naming the known ones', async () => {
  const juju = new FakeJuju(aUnit().runningAction('reboot'));
  const result = await fire(juju, actionEvent('reboot', juju.state), { hooks: {}, actions: { 'show-config': async () => undefined } });
  expect(result.exitCode).toBe(0); // action-fail marks it failed; exit 0 keeps Juju's message ours
  expect(juju.state.action?.failed).toBe('unknown action "reboot": this charm has no such action (known actions: show-config)');
  expect(juju.logs).toEqual(['ERROR unknown action "reboot": this charm has no such action (known actions: show-config)']);
});

test('a failing action is marked failed with its message and exits non-zero', async () => {
  const juju = new FakeJuju(aUnit().runningAction('show-config'));
  const table: EventTable<DispatchServices> = { hooks: {}, actions: { 'show-config': () => Promise.reject(new Error('LXD is not running')) } };
  expect((await fire(juju, actionEvent('show-config', juju.state), table)).exitCode).toBe(1);
  expect(juju.state.action?.failed).toBe('action show-config failed: Error: LXD is not running');
});

describe('the charm\'s event table', () => {
  test('maps the lifecycle hooks to their handlers: converge for every hook that reconciles', () => {
    for (const name of ['install', 'stop', 'remove', 'update-status']) expect(hooks[name]).toEqual(expect.any(Function));
    for (const name of ['config-changed', 'start', 'upgrade-charm', 'leader-elected', 'leader-settings-changed']) expect(hooks[name]).toBe(converge);
    expect(new Set([hooks.install, hooks.stop, hooks.remove, hooks['update-status'], converge]).size).toBe(5);
    expect(hooks['update-status']).toBe(updateStatus);
    expect(eventTable.hooks).toBe(hooks);
  });

  test('every action in actions.yaml has a handler, and nothing else is an action', () => {
    const declared = Object.keys(YAML.parse(readFileSync(join(repoRoot, 'actions.yaml'), 'utf8')) as Record<string, unknown>).sort();
    expect(Object.keys(actions).sort()).toEqual(declared);
    expect(Object.keys(operatorActions).sort()).toEqual(declared.filter((name) => name !== 'show-config'));
  });

  test('handles every relation event of lxd and container, and the peer events Juju sends (no peer -broken)', () => {
    const phases = ['created', 'joined', 'changed', 'departed', 'broken'];
    const expected = [
      ...phases.map((p) => `lxd-relation-${p}`),
      ...phases.map((p) => `container-relation-${p}`),
      ...phases.slice(0, 4).map((p) => `lxd-migration-relation-${p}`),
    ];
    for (const name of expected) expect(hooks[name]).toBe(converge);
    expect(hooks['lxd-migration-relation-broken']).toBeUndefined();
  });

  test('hooks/ holds exactly one relative symlink to ../dispatch per handled hook', () => {
    const entries = readdirSync(join(repoRoot, 'hooks')).sort();
    expect(entries).toEqual([...handledHookNames]);
    for (const name of entries) expect(readlinkSync(join(repoRoot, 'hooks', name))).toBe('../dispatch');
  });
});
