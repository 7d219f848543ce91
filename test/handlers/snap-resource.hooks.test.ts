// The lxd-snap resource (metadata.yaml): state in → hook → state out through the real event table.
// On a snap host a snap file is installed with `snap install --dangerous` (never the store: clouds
// without it), an empty file refreshes back to lxd-channel, no resource changes nothing; a file that is
// not a snap blocks naming the fix; on a deb host the resource is ignored with a log line.
import type { ConfigValue } from '../../src/juju/hook-tools';
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost, type FakeHostOptions } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

interface World {
  juju: FakeJuju;
  lxd: FakeLxd;
  host: FakeHost;
}

const RESOURCE = '/var/lib/juju/agents/unit-lxd-0/resources/lxd-snap/lxd.snap';
const SNAP = Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(60, 7)]);

function world(content: Buffer | null, config: Record<string, ConfigValue> = {}, host: FakeHostOptions = {}): World {
  const unit = aUnit().withConfig({ 'lvm-thinpool': false, 'storage-type': 'dir', ...config });
  const w = {
    juju: new FakeJuju(content === null ? unit : unit.withResource('lxd-snap', RESOURCE)),
    lxd: new FakeLxd(),
    host: new FakeHost({ os: { id: 'ubuntu', versionId: '24.04' }, ...host }),
  };
  if (content !== null) w.host.fileContents.set(RESOURCE, content);
  return w;
}

async function writesOf(w: World, hook: string): Promise<string[]> {
  const before = { juju: w.juju.writes.length, statuses: w.juju.statuses.length, lxd: w.lxd.writes.length, host: w.host.actions.length };
  expect((await runHook(hook, w)).exitCode).toBe(0);
  return [...w.juju.writes.slice(before.juju), ...w.juju.statuses.slice(before.statuses).map((s) => `status-set ${s.status}`), ...w.lxd.writes.slice(before.lxd), ...w.host.actions.slice(before.host)];
}
const snapCommands = (w: World): string[] => w.host.actions.filter((a) => a.startsWith('snap '));

test('a fresh snap host with a snap resource: install never asks the store, converge installs the file --dangerous; a rerun changes nothing', async () => {
  const w = world(SNAP);
  expect((await runHook('install', w)).exitCode).toBe(0);
  expect(snapCommands(w)).toEqual([]);
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(snapCommands(w)).toEqual([`snap install --dangerous ${RESOURCE}`]);
  expect(w.juju.state.charmState['snap-sideload']).toMatch(/^[0-9a-f]{64}$/);
  expect(w.juju.unitStatus.status).toBe('active');

  expect(await writesOf(w, 'config-changed')).toEqual([]);
  expect(await writesOf(w, 'upgrade-charm')).toEqual([]);
});

test('attach-resource over the store snap sideloads it once; an empty file refreshes back to lxd-channel (--amend); then nothing more', async () => {
  const w = world(null, {}, { snaps: { lxd: '5.21/stable' } });
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(snapCommands(w)).toEqual([]);

  const other = '/var/lib/juju/agents/unit-lxd-0/resources/lxd-snap/lxd.snap';
  w.host.fileContents.set(other, SNAP);
  w.juju.attachResource('lxd-snap', other);
  expect((await runHook('upgrade-charm', w)).exitCode).toBe(0);
  expect(snapCommands(w)).toEqual([`snap install --dangerous ${other}`]);
  expect(await writesOf(w, 'config-changed')).toEqual([]);

  // the operator attaches an empty file: back to the store
  w.host.fileContents.set(other, Buffer.alloc(0));
  expect((await runHook('upgrade-charm', w)).exitCode).toBe(0);
  expect(snapCommands(w).slice(1)).toEqual(['snap refresh lxd --amend --channel=5.21/stable']);
  expect(w.juju.state.charmState['snap-sideload'] ?? '').toBe('');
  expect(w.host.snaps.get('lxd')).toBe('5.21/stable');
  expect(await writesOf(w, 'config-changed')).toEqual([]);
});

test('a resource that is not a snap: blocked naming the fix, nothing installed; the same with the old snap left alone', async () => {
  const w = world(Buffer.from('#!/bin/sh\necho not a snap\n'), {}, { snaps: { lxd: '5.21/stable' } });
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.juju.unitStatus).toEqual({
    status: 'blocked',
    message: 'resource lxd-snap (26 bytes) is not a snap (no squashfs header): attach a .snap file (juju attach-resource lxd lxd-snap=./lxd.snap), or an empty file to use lxd-channel 5.21/stable from the store',
  });
  expect(snapCommands(w)).toEqual([]);
});

test('no resource (resource-get fails) while a sideload is in place: nothing changes; the channel is not compared', async () => {
  const w = world(SNAP, { 'lxd-channel': '6/stable' });
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(snapCommands(w)).toEqual([`snap install --dangerous ${RESOURCE}`]);
  w.juju = new FakeJuju({ ...w.juju.state, resources: {} });
  expect(await writesOf(w, 'upgrade-charm')).toEqual([]);
  expect(w.juju.calls).toContain('resource-get');
});

test('a deb host ignores the resource with a log line and never runs snap', async () => {
  const w = world(SNAP, {}, { os: { id: 'debian', versionId: '12' } });
  expect((await runHook('install', w)).exitCode).toBe(0);
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.juju.calls).not.toContain('resource-get');
  expect((await runHook('start', w)).exitCode).toBe(0);
  expect(w.juju.logs).toContain('INFO resource lxd-snap (64 bytes) is ignored: LXD on this host is the distro package, not the snap');
  expect(snapCommands(w)).toEqual([]);
  expect(w.juju.unitStatus.status).toBe('active');
});
