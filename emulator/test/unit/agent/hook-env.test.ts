import { buildHookEnv } from '../../../src/agent/hook-env';
import { unitPaths } from '../../../src/agent/paths';
import { drain, machine, modelWith, principalCharm } from '../model/fixtures';

const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 1 }]);
drain(state);
const unit = state.units['nova-compute/0'];
const m = { ...machine('0'), backend: 'namespace' as const };
if (!unit) throw new Error('no unit');
const paths = unitPaths(m, unit.name);

test('secret hooks carry JUJU_SECRET_*; the revision only for secret-remove and secret-expired', () => {
  const changed = buildHookEnv({ state, unit, machine: m, paths, contextId: 'c', action: null, event: { kind: 'hook', name: 'secret-changed', secretId: 'secret:x', secretRevision: 3 } });
  expect(changed).toMatchObject({ JUJU_SECRET_ID: 'secret:x', JUJU_SECRET_LABEL: '', JUJU_HOOK_NAME: 'secret-changed' });
  expect(changed).not.toHaveProperty('JUJU_SECRET_REVISION');
  const removed = buildHookEnv({ state, unit, machine: m, paths, contextId: 'c', action: null, event: { kind: 'hook', name: 'secret-remove', secretId: 'secret:x', secretRevision: 3 } });
  expect(removed.JUJU_SECRET_REVISION).toBe('3');
});

test('actions: JUJU_ACTION_*, an empty JUJU_HOOK_NAME, actions/<name>, no relation variables', () => {
  const action = { id: 17, unit: unit.name, name: 'show-config', params: {}, status: 'running' as const, message: '', results: {}, log: [], enqueuedAt: '', completedAt: null };
  const env = buildHookEnv({ state, unit, machine: m, paths, contextId: 'c', action, event: { kind: 'action', actionId: 17 } });
  expect(env).toMatchObject({ JUJU_HOOK_NAME: '', JUJU_DISPATCH_PATH: 'actions/show-config', JUJU_ACTION_NAME: 'show-config', JUJU_ACTION_UUID: '17', JUJU_ACTION_TAG: 'action-17' });
  expect(Object.keys(env).filter((k) => k.startsWith('JUJU_RELATION') || k.startsWith('JUJU_REMOTE'))).toEqual([]);
  expect(env.CHARM_DIR).toBe('/var/lib/juju/agents/unit-nova-compute-0/charm');
  expect(env.JUJU_API_ADDRESSES).toBe('10.0.0.1:17070');
});
