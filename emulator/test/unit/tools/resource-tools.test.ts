// File resources: attachResource (a new revision, upgrade-charm + config-changed queued) and resource-get
// (the unit's own copy under its agent dir, refreshed on a new revision; Juju's error when none).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachResource } from '../../../src/model/resources';
import type { ModelState } from '../../../src/model/types';
import { buildModel, contextFor, err, ok } from './builders';

let dir: string;
let state: ModelState;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'jemu-resources-'));
  state = buildModel();
  state.dir = dir;
  const charmDir = path.join(dir, 'charm');
  mkdirSync(charmDir);
  writeFileSync(path.join(charmDir, 'metadata.yaml'), 'name: lxd\nresources:\n  node-runtime:\n    type: file\n    filename: node-runtime.tar.xz\n  image:\n    type: oci-image\n');
  const lxd = state.applications.lxd;
  if (!lxd) throw new Error('no lxd application');
  lxd.charm = { ...lxd.charm, dir: charmDir };
  for (const machine of Object.values(state.machines)) machine.mounts = { '/var/lib/juju': path.join(dir, `machine-${machine.id}`) };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function upload(content: string): string {
  const file = path.join(dir, `upload-${content.length}`);
  writeFileSync(file, content);
  return file;
}

test('resource-get with nothing attached fails as Juju does for a resource never uploaded', () => {
  expect(err(contextFor(state, 'lxd/0').run('resource-get', 'node-runtime'))).toEqual([
    1,
    `ERROR could not download resource: HTTP request failed: Get https://controller:17070/model/${state.uuid}/units/unit-lxd-0/resources/node-runtime: resource#lxd/node-runtime not found\n`,
  ]);
  expect(err(contextFor(state, 'lxd/0').run('resource-get'))[0]).toBe(2);
});

test('attaching queues upgrade-charm then config-changed on each unit; resource-get gives the unit its copy', () => {
  expect(attachResource(state, 'lxd', 'node-runtime', upload('tarball one'))).toBe(true);
  expect(state.units['lxd/0']?.queue.map((e) => (e.kind === 'hook' ? e.name : e.kind))).toEqual(['upgrade-charm', 'config-changed']);
  expect(state.units['nova-compute/0']?.queue).toEqual([]);
  const printed = ok(contextFor(state, 'lxd/0').run('resource-get', 'node-runtime')).trim();
  expect(printed).toBe(path.join(dir, 'machine-0', 'agents', 'unit-lxd-0', 'resources', 'node-runtime', 'node-runtime.tar.xz'));
  expect(readFileSync(printed, 'utf8')).toBe('tarball one');
  attachResource(state, 'lxd', 'node-runtime', upload('tarball number two'));
  expect(state.applications.lxd?.resources?.['node-runtime']?.revision).toBe(2);
  expect(readFileSync(ok(contextFor(state, 'lxd/0').run('resource-get', 'node-runtime')).trim(), 'utf8')).toBe('tarball number two');
});

test('a resource the charm does not declare, or not of type file, or a missing file, is refused and nothing is queued', () => {
  expect(() => attachResource(state, 'lxd', 'nope', upload('x'))).toThrow('invalid resource name "nope": charm "lxd" declares no such resource');
  expect(() => attachResource(state, 'lxd', 'image', upload('x'))).toThrow('only file resources are supported');
  expect(() => attachResource(state, 'lxd', 'node-runtime', path.join(dir, 'absent'))).toThrow('is not a file');
  expect(state.units['lxd/0']?.queue).toEqual([]);
});
