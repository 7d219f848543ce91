// storage-list and storage-get against a model's storage records, and the
// pure storage transitions (directives, counts, detach after the hook).
import { afterStorageHook, beginDetach, checkCanAdd, checkDirectives, parseStorageDirective, recordAttached } from '../../../src/model/storage';
import { parseMetadata } from '../../../src/model/charm-loader';
import type { ModelState, StorageRecord } from '../../../src/model/types';
import { buildModel, contextFor, err, ok } from './builders';

const record = (id: string, unit: string, location: string, life: StorageRecord['life'] = 'attached'): StorageRecord => ({ id, name: id.split('/')[0] ?? '', unit, kind: 'block', location, file: `/m/${id}.img`, sizeBytes: 1024 ** 3, life });

function withStorage(): ModelState {
  const state = buildModel();
  const lxd = state.applications.lxd;
  if (lxd) lxd.charm.meta.storage = { local: { type: 'block', min: 0, max: 1 } };
  state.storage = { 'local/0': record('local/0', 'lxd/0', '/dev/loop7'), 'local/1': record('local/1', 'lxd/1', '/dev/loop8') };
  return state;
}

test('storage-list lists this unit\'s instances only; storage-get answers for the hook\'s own instance or -s', () => {
  const state = withStorage();
  const { run } = contextFor(state, 'lxd/0', { kind: 'hook', name: 'local-storage-attached', storageId: 'local/0' });
  expect(ok(run('storage-list', '--format=json'))).toBe('["local/0"]\n');
  expect(ok(run('storage-list', 'other', '--format=json'))).toBe('[]\n');
  expect(ok(run('storage-get', '--format=json'))).toBe('{"kind":"block","location":"/dev/loop7"}\n');
  expect(ok(run('storage-get', '-s', 'local/0', 'location'))).toBe('/dev/loop7\n');
  expect(err(run('storage-get', '-s', 'local/1'))).toEqual([2, 'ERROR invalid value "local/1" for option -s: storage instance "local/1" not found\n']);
  expect(err(run('storage-get', 'size'))).toEqual([1, 'ERROR invalid storage attribute "size"\n']);
  const outside = contextFor(state, 'lxd/0');
  expect(err(outside.run('storage-get'))).toEqual([2, 'ERROR no storage instance specified\n']);
});

test('a detaching instance is listed until its hook ran; then it is detached', () => {
  const state = withStorage();
  beginDetach(state, 'local/0');
  expect(state.units['lxd/0']?.queue).toEqual([{ kind: 'hook', name: 'local-storage-detaching', storageId: 'local/0' }]);
  expect(ok(contextFor(state, 'lxd/0').run('storage-list', '--format=json'))).toBe('["local/0"]\n');
  afterStorageHook(state, { kind: 'hook', name: 'local-storage-detaching', storageId: 'local/0' });
  expect(state.storage?.['local/0']?.life).toBe('detached');
  expect(ok(contextFor(state, 'lxd/0').run('storage-list', '--format=json'))).toBe('[]\n');
});

test('directives: Juju\'s name=pool,size,count in any order; counts within the charm\'s range', () => {
  expect(parseStorageDirective('local=loop,1G')).toEqual({ name: 'local', count: 1, sizeBytes: 1024 ** 3 });
  expect(parseStorageDirective('local=2,512M')).toEqual({ name: 'local', count: 2, sizeBytes: 512 * 1024 ** 2 });
  expect(() => parseStorageDirective('local=ebs,1G')).toThrow('storage pool "ebs" not found');
  expect(() => parseStorageDirective('=1G')).toThrow('invalid storage directive');
  const state = withStorage();
  const lxd = state.applications.lxd;
  if (!lxd) throw new Error('no lxd');
  expect(() => checkDirectives(lxd.charm.meta, [{ name: 'local', count: 2, sizeBytes: 1 }])).toThrow('outside the charm\'s range 0-1');
  expect(() => checkDirectives(lxd.charm.meta, [{ name: 'nope', count: 1, sizeBytes: 1 }])).toThrow('charm storage "nope" not found');
  expect(() => checkCanAdd(state, 'lxd/0', 'local', 1)).toThrow('the charm allows at most 1 (it has 1)');
  const unit = state.units['lxd/0'];
  if (!unit) throw new Error('no unit');
  recordAttached(state, unit, record('local/5', 'lxd/0', '/dev/loop9', 'attaching'));
  expect(unit.queue).toEqual([{ kind: 'hook', name: 'local-storage-attached', storageId: 'local/5' }]);
});

test('metadata.yaml storage ranges parse as Juju reads them', () => {
  const meta = parseMetadata({
    name: 'x', summary: 's', description: 'd',
    storage: { a: { type: 'block', multiple: { range: '0-1' } }, b: { type: 'filesystem', location: '/srv' }, c: { type: 'block', multiple: { range: '2+' } } },
  });
  expect(meta.storage).toEqual({ a: { type: 'block', min: 0, max: 1 }, b: { type: 'filesystem', min: 1, max: 1, location: '/srv' }, c: { type: 'block', min: 2, max: null } });
  expect(() => parseMetadata({ name: 'x', summary: 's', description: 'd', storage: { a: { type: 'block', location: '/x' } } })).toThrow('location may not be specified');
});
