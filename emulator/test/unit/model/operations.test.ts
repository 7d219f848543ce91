import { applyCommit } from '../../../src/model/hook-effects';
import { queueAction, relateApps, setConfig, upgradeApp } from '../../../src/model/operations';
import { charm, drain, modelWith, NOW, principalCharm } from './fixtures';

const configured = charm(
  { name: 'cfg', endpoints: { peer: { name: 'peer', role: 'peer', interface: 'p', scope: 'global' } } },
  {
    config: {
      'storage-type': { type: 'string', default: 'btrfs' },
      overwrite: { type: 'boolean', default: false },
      size: { type: 'int', default: null },
    },
    actions: {
      'list-remotes': {
        params: { user: { type: 'string', default: 'root' }, count: { type: 'integer' } },
        required: [],
        additionalProperties: false,
      },
      'needs-name': { params: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
    },
  },
);

function configChanges(units: string[], state: ReturnType<typeof modelWith>): number {
  return units.flatMap((u) => state.units[u]?.queue ?? []).filter((e) => e.kind === 'hook' && e.name === 'config-changed').length;
}

describe('config (juju config)', () => {
  test('config-changed only on the units of that app and only when a value really changed', () => {
    const state = modelWith([
      { name: 'cfg', charm: configured, units: 2 },
      { name: 'nova-compute', charm: principalCharm, units: 1 },
    ]);
    drain(state);
    expect(setConfig(state, 'cfg', { 'storage-type': 'btrfs' })).toBe(false); // the default: no change
    expect(configChanges(['cfg/0', 'cfg/1'], state)).toBe(0);
    expect(setConfig(state, 'cfg', { 'storage-type': 'lvm', overwrite: true })).toBe(true);
    expect(configChanges(['cfg/0', 'cfg/1'], state)).toBe(2);
    expect(configChanges(['nova-compute/0'], state)).toBe(0);
    expect(setConfig(state, 'cfg', { 'storage-type': 'lvm' })).toBe(false);
    expect(configChanges(['cfg/0', 'cfg/1'], state)).toBe(2); // still one pending each, coalesced
    expect(setConfig(state, 'cfg', { 'storage-type': null })).toBe(true); // reset to the default is a change
  });

  test('unknown keys and wrong types are refused and change nothing', () => {
    const state = modelWith([{ name: 'cfg', charm: configured, units: 1 }]);
    drain(state);
    expect(() => setConfig(state, 'cfg', { bogus: 'x' })).toThrow('unknown option "bogus"');
    expect(() => setConfig(state, 'cfg', { overwrite: 'yes', 'storage-type': 'lvm' })).toThrow(/overwrite.*expected boolean/);
    expect(() => setConfig(state, 'cfg', { size: 1.5 })).toThrow(/expected int/);
    expect(state.applications.cfg?.config).toEqual({});
    expect(configChanges(['cfg/0'], state)).toBe(0);
  });
});

describe('upgrade', () => {
  test('upgrade-charm then config-changed on every unit, revision bumped', () => {
    const state = modelWith([{ name: 'cfg', charm: configured, units: 2 }]);
    drain(state);
    upgradeApp(state, 'cfg', configured);
    expect(state.applications.cfg?.charm.revision).toBe(1);
    expect(drain(state)).toEqual(['cfg/0 upgrade-charm', 'cfg/0 config-changed', 'cfg/1 upgrade-charm', 'cfg/1 config-changed']);
    expect(state.units['cfg/0']?.charmRevision).toBe(1);
    expect(() => upgradeApp(state, 'cfg', principalCharm)).toThrow(/cannot upgrade/);
  });
});

describe('actions (juju run)', () => {
  const state = modelWith([{ name: 'cfg', charm: configured, units: 1 }]);
  test('schema defaults filled in, types and required checked before queueing', () => {
    const action = queueAction(state, 'cfg/0', 'list-remotes', { count: 2 }, NOW);
    expect(action.params).toEqual({ user: 'root', count: 2 });
    expect(state.units['cfg/0']?.queue).toContainEqual({ kind: 'action', actionId: action.id });
    expect(() => queueAction(state, 'cfg/0', 'list-remotes', { count: 'two' }, NOW)).toThrow('validation failed: (root).count : must be of type integer, given "two"');
    expect(() => queueAction(state, 'cfg/0', 'needs-name', {}, NOW)).toThrow('validation failed: (root) : "name" property is missing and required, given {}');
    expect(() => queueAction(state, 'cfg/0', 'list-remotes', { colour: 'red' }, NOW)).toThrow('validation failed: (root) : additional property "colour" is not allowed, given {"colour":"red"}');
    expect(() => queueAction(state, 'cfg/0', 'nope', {}, NOW)).toThrow('action "nope" not defined on unit "cfg/0"');
    expect(() => queueAction(state, 'cfg/9', 'list-remotes', {}, NOW)).toThrow('unit "cfg/9" not found');
  });
});

describe('relate (juju integrate)', () => {
  test('no matching endpoints, self relations and duplicates are refused', () => {
    const state = modelWith([
      { name: 'cfg', charm: configured, units: 1 },
      { name: 'nova-compute', charm: principalCharm, units: 1 },
    ]);
    expect(() => relateApps(state, 'cfg', 'nova-compute')).toThrow('no relations found between "cfg" and "nova-compute"');
    expect(() => relateApps(state, 'cfg', 'cfg')).toThrow(/itself/);
    expect(() => relateApps(state, 'cfg', 'ghost')).toThrow('application "ghost" not found');
  });
});

describe('relation-changed after a commit (coalescing)', () => {
  test('one -changed per observer however many commits; never to the writer; app bag with empty remote unit', () => {
    const state = modelWith([{ name: 'cfg', charm: configured, units: 3 }]);
    drain(state);
    const rel = Object.values(state.relations)[0];
    if (!rel) throw new Error('no peer relation');
    const writer = state.units['cfg/0'];
    if (!writer) throw new Error('no unit');
    const unitChange = { changedBags: [{ relationId: rel.id, owner: 'cfg/0', isApp: false }], leaderSettingsChanged: false };
    applyCommit(state, writer, unitChange);
    applyCommit(state, writer, unitChange);
    expect(drain(state).sort()).toEqual(['cfg/1 peer-relation-changed remote=cfg/0', 'cfg/2 peer-relation-changed remote=cfg/0']);
    applyCommit(state, writer, { changedBags: [{ relationId: rel.id, owner: 'cfg', isApp: true }], leaderSettingsChanged: true });
    const ran = drain(state).sort();
    expect(ran).toEqual(['cfg/1 leader-settings-changed', 'cfg/1 peer-relation-changed', 'cfg/2 leader-settings-changed', 'cfg/2 peer-relation-changed']);
    expect(state.units['cfg/1']?.queue).toEqual([]);
  });
});

describe('secret hooks after a commit', () => {
  test('secret-changed is queued on each consumer with the id, revision and its own label', () => {
    const state = modelWith([{ name: 'cfg', charm: configured, units: 2 }]);
    drain(state);
    state.secrets['secret:abc'] = {
      id: 'secret:abc',
      owner: { kind: 'application', name: 'cfg' },
      label: 'owner-label',
      description: null,
      expire: null,
      rotate: null,
      revisions: [{ revision: 2, content: { k: 'v' }, createdAt: NOW }],
      grants: [],
      consumers: { 'cfg/1': { revision: 1, label: 'mine' } },
    };
    const writer = state.units['cfg/0'];
    if (!writer) throw new Error('no unit');
    applyCommit(state, writer, {
      changedBags: [],
      leaderSettingsChanged: false,
      secretEvents: [{ kind: 'secret-changed', secretId: 'secret:abc', revision: 2, units: ['cfg/1', 'ghost/0'] }],
    });
    expect(state.units['cfg/1']?.queue).toEqual([{ kind: 'hook', name: 'secret-changed', secretId: 'secret:abc', secretRevision: 2, secretLabel: 'mine' }]);
    expect(state.units['cfg/0']?.queue).toEqual([]);
  });
});
