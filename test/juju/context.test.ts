// The event read once from the JUJU_* environment (contract §2).
import { JujuContextError, readJujuEvent } from '../../src/juju/context';

const base = {
  JUJU_CHARM_DIR: '/var/lib/juju/agents/unit-lxd-0/charm',
  JUJU_CONTEXT_ID: 'lxd/0-install-0123',
  JUJU_UNIT_NAME: 'lxd/0',
  JUJU_MODEL_NAME: 'openstack',
  JUJU_MODEL_UUID: '7c7f4ad2-0000-4000-8000-000000000001',
  JUJU_VERSION: '3.6.4',
  JUJU_MACHINE_ID: '3',
  JUJU_PRINCIPAL_UNIT: 'nova-compute/3',
};

const unit = {
  unitName: 'lxd/0',
  appName: 'lxd',
  modelName: 'openstack',
  modelUuid: '7c7f4ad2-0000-4000-8000-000000000001',
  charmDir: '/var/lib/juju/agents/unit-lxd-0/charm',
  principalUnit: 'nova-compute/3',
  machineId: '3',
  jujuVersion: '3.6.4',
};

test('a plain hook: name from JUJU_DISPATCH_PATH, no relation, the unit context', () => {
  expect(readJujuEvent({ ...base, JUJU_DISPATCH_PATH: 'hooks/install', JUJU_HOOK_NAME: 'install' })).toEqual({ kind: 'hook', name: 'install', relation: null, unit });
});

test('a principal has no principal unit; machine id may be nested', () => {
  const event = readJujuEvent({ ...base, JUJU_PRINCIPAL_UNIT: '', JUJU_MACHINE_ID: '3/lxd/1', JUJU_DISPATCH_PATH: 'hooks/start' });
  expect(event.unit).toMatchObject({ principalUnit: null, machineId: '3/lxd/1' });
});

test('dispatch\'s $0 fallback (an absolute hooks/<name> path) and agents without JUJU_DISPATCH_PATH', () => {
  expect(readJujuEvent({ ...base, JUJU_DISPATCH_PATH: '/var/lib/juju/agents/unit-lxd-0/charm/hooks/update-status' }).name).toBe('update-status');
  expect(readJujuEvent({ ...base, JUJU_HOOK_NAME: 'config-changed' }).name).toBe('config-changed');
  expect(readJujuEvent({ ...base, CHARM_DIR: '/c', JUJU_CHARM_DIR: undefined, JUJU_HOOK_NAME: 'stop' }).unit.charmDir).toBe('/c');
});

test('a relation hook: endpoint, id, remote app and unit', () => {
  const event = readJujuEvent({
    ...base, JUJU_DISPATCH_PATH: 'hooks/lxd-migration-relation-changed', JUJU_HOOK_NAME: 'lxd-migration-relation-changed',
    JUJU_RELATION: 'lxd-migration', JUJU_RELATION_ID: 'lxd-migration:4', JUJU_REMOTE_APP: 'lxd', JUJU_REMOTE_UNIT: 'lxd/2',
  });
  expect(event).toEqual({
    kind: 'hook', name: 'lxd-migration-relation-changed', unit,
    relation: { endpoint: 'lxd-migration', id: 'lxd-migration:4', remoteApp: 'lxd', remoteUnit: 'lxd/2', departingUnit: null },
  });
});

test('-created has an empty JUJU_REMOTE_UNIT: no remote unit', () => {
  const event = readJujuEvent({ ...base, JUJU_DISPATCH_PATH: 'hooks/lxd-relation-created', JUJU_RELATION: 'lxd', JUJU_RELATION_ID: 'lxd:1', JUJU_REMOTE_APP: 'nova-compute', JUJU_REMOTE_UNIT: '' });
  expect(event.kind === 'hook' && event.relation).toMatchObject({ remoteUnit: null, departingUnit: null });
});

test('-departed names the departing unit', () => {
  const event = readJujuEvent({
    ...base, JUJU_DISPATCH_PATH: 'hooks/lxd-migration-relation-departed', JUJU_RELATION: 'lxd-migration', JUJU_RELATION_ID: 'lxd-migration:4',
    JUJU_REMOTE_APP: 'lxd', JUJU_REMOTE_UNIT: 'lxd/0', JUJU_DEPARTING_UNIT: 'lxd/2',
  });
  expect(event.kind === 'hook' && event.relation).toMatchObject({ remoteUnit: 'lxd/0', departingUnit: 'lxd/2' });
});

test('an action: name from actions/<name>, id from JUJU_ACTION_UUID (JUJU_HOOK_NAME is empty)', () => {
  expect(readJujuEvent({ ...base, JUJU_DISPATCH_PATH: 'actions/show-config', JUJU_HOOK_NAME: '', JUJU_ACTION_NAME: 'show-config', JUJU_ACTION_UUID: '17' }))
    .toEqual({ kind: 'action', name: 'show-config', actionId: '17', unit });
  expect(readJujuEvent({ ...base, JUJU_ACTION_NAME: 'show-config', JUJU_ACTION_UUID: '18' })).toMatchObject({ kind: 'action', name: 'show-config' });
});

test('an empty environment: every missing variable reported at once', () => {
  let error: unknown;
  try {
    readJujuEvent({});
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(JujuContextError);
  expect((error as JujuContextError).problems).toEqual([
    'none of JUJU_DISPATCH_PATH, JUJU_HOOK_NAME or JUJU_ACTION_NAME names an event',
    'JUJU_UNIT_NAME is not set',
    'JUJU_CHARM_DIR is not set',
    'JUJU_MODEL_NAME is not set',
    'JUJU_MODEL_UUID is not set',
    'JUJU_VERSION is not set',
  ]);
});

describe('inconsistent environments are refused with the reason', () => {
  test.each([
    ['a dispatch path outside hooks/ and actions/', { JUJU_DISPATCH_PATH: 'bin/x' }, 'JUJU_DISPATCH_PATH "bin/x" is neither hooks/<name> nor actions/<name>'],
    ['a bad unit name', { JUJU_DISPATCH_PATH: 'hooks/start', JUJU_UNIT_NAME: 'lxd' }, 'JUJU_UNIT_NAME "lxd" is not a unit name like app/0'],
    ['a bad event name', { JUJU_DISPATCH_PATH: 'hooks/Install' }, 'event name "Install" is not a valid hook or action name'],
    ['a relation hook without relation id', { JUJU_DISPATCH_PATH: 'hooks/lxd-relation-joined', JUJU_REMOTE_APP: 'nova-compute' }, 'relation hook lxd-relation-joined without JUJU_RELATION_ID'],
    ['a relation id of another endpoint', { JUJU_DISPATCH_PATH: 'hooks/lxd-relation-joined', JUJU_RELATION_ID: 'container:2', JUJU_RELATION: 'lxd', JUJU_REMOTE_APP: 'nova-compute' }, 'JUJU_RELATION_ID "container:2" does not belong to endpoint lxd'],
    ['a malformed relation id', { JUJU_DISPATCH_PATH: 'hooks/lxd-relation-joined', JUJU_RELATION_ID: 'lxd', JUJU_REMOTE_APP: 'nova-compute' }, 'JUJU_RELATION_ID "lxd" is not <endpoint>:<number>'],
    ['a bad remote unit', { JUJU_DISPATCH_PATH: 'hooks/lxd-relation-joined', JUJU_RELATION_ID: 'lxd:1', JUJU_REMOTE_APP: 'nova-compute', JUJU_REMOTE_UNIT: 'nova' }, 'JUJU_REMOTE_UNIT "nova" is not a unit name'],
    ['an action without id', { JUJU_DISPATCH_PATH: 'actions/show-config' }, 'action show-config without JUJU_ACTION_UUID'],
  ])('%s', (_name, env, problem) => {
    expect(() => readJujuEvent({ ...base, ...env })).toThrow(problem);
  });
});

test('a storage hook carries its instance from JUJU_STORAGE_*; a missing or foreign id is a problem', () => {
  const env = { ...base, JUJU_DISPATCH_PATH: 'hooks/local-storage-attached', JUJU_STORAGE_ID: 'local/3', JUJU_STORAGE_LOCATION: '/dev/vdb', JUJU_STORAGE_KIND: 'block' };
  expect(readJujuEvent(env)).toEqual({ kind: 'hook', name: 'local-storage-attached', relation: null, unit, storage: { id: 'local/3', name: 'local', location: '/dev/vdb', kind: 'block' } });
  expect(() => readJujuEvent({ ...env, JUJU_STORAGE_ID: '' })).toThrow('storage hook local-storage-attached without a JUJU_STORAGE_ID like local/0');
  expect(() => readJujuEvent({ ...env, JUJU_STORAGE_ID: 'disks/0' })).toThrow('JUJU_STORAGE_ID "disks/0" does not belong to hook local-storage-attached');
});
