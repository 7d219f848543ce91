// Juju storage `local` (metadata.yaml): state in → storage hook → state out, through the real event table.
// An attached device joins the pool like a block-devices entry (same overwrite guard); a detaching
// device the pool stands on is refused (the hook fails, so Juju keeps it attached) with what to do.
import type { DeviceContent } from '../../src/host/host';
import type { ConfigValue } from '../../src/juju/hook-tools';
import { hookEvent } from '../builders/juju-events';
import { aUnit, type JujuStateBuilder } from '../builders/juju-state';
import { runEvent, runHook, type Outcome } from '../builders/run-hook';
import { FakeHost, type FakeHostOptions } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

interface World {
  juju: FakeJuju;
  lxd: FakeLxd;
  host: FakeHost;
}

const world = (config: Record<string, ConfigValue> = {}, host: FakeHostOptions = {}, unit: JujuStateBuilder = aUnit()): World => ({
  juju: new FakeJuju(unit.withConfig({ 'lvm-thinpool': false, ...config })),
  lxd: new FakeLxd(),
  host: new FakeHost(host),
});

/** A storage hook as Juju runs it: JUJU_STORAGE_ID/LOCATION/KIND of the instance. */
function runStorageHook(w: World, phase: 'attached' | 'detaching', id: string): Promise<Outcome> {
  const location = w.juju.state.storage[id]?.location ?? '';
  const event = { ...hookEvent(`local-storage-${phase}`, w.juju.state), storage: { id, name: 'local', location, kind: 'block' } };
  return runEvent(event, w);
}

/** Everything the next call writes: hook tools, statuses, LXD, host commands. */
async function writesOf(w: World, hook: () => Promise<Outcome>): Promise<string[]> {
  const before = { juju: w.juju.writes.length, statuses: w.juju.statuses.length, lxd: w.lxd.writes.length, host: w.host.actions.length };
  expect((await hook()).exitCode).toBe(0);
  return [...w.juju.writes.slice(before.juju), ...w.juju.statuses.slice(before.statuses).map((s) => `status-set ${s.status}`), ...w.lxd.writes.slice(before.lxd), ...w.host.actions.slice(before.host)];
}

const fs = (type: string): DeviceContent => ({ kind: 'filesystem', type });
const empty: DeviceContent = { kind: 'empty' };

test('storage attached before install is only logged; the first converge builds the pool on it; a rerun changes nothing', async () => {
  const w = world({}, { devices: { '/dev/vdb': empty } }, aUnit().withStorage('local/0', '/dev/vdb'));
  expect(await writesOf(w, () => runStorageHook(w, 'attached', 'local/0'))).toEqual([]);
  expect(w.juju.logs).toContain('INFO storage local/0 attached at /dev/vdb before install: the pool takes it once LXD is installed');

  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/vdb']);
  expect(w.lxd.pools.get('lxd')).toMatchObject({ driver: 'lvm', config: { source: 'lxd_vg' } });
  expect(w.juju.state.charmState['pool-devices']).toContain('local/0');
  expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd on 1 device/);

  expect(await writesOf(w, () => runHook('config-changed', w))).toEqual([]);
  expect(await writesOf(w, () => runHook('update-status', w))).toEqual([]);
});

test('storage attached later extends the lvm pool beside block-devices; the same hook again changes nothing', async () => {
  const w = world({ 'block-devices': '/dev/vdb' }, { devices: { '/dev/vdb': empty, '/dev/vdc': empty } });
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/vdb']);

  w.juju.attachStorage('local/1', '/dev/vdc');
  expect((await runStorageHook(w, 'attached', 'local/1')).exitCode).toBe(0);
  expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/vdb', '/dev/vdc']);
  expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd on 2 devices/);
  expect(await writesOf(w, () => runStorageHook(w, 'attached', 'local/1'))).toEqual([]);
});

test('an attached device holding a filesystem: blocked with overwrite=false, wiped once with overwrite=true, never twice', async () => {
  const w = world({}, { devices: { '/dev/vdb': fs('ext4') } }, aUnit().withStorage('local/0', '/dev/vdb'));
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: '/dev/vdb holds an ext4 filesystem; set overwrite=true to wipe it' });
  expect(w.host.actions.filter((a) => a.includes('vdb'))).toEqual([]);

  w.juju = new FakeJuju({ ...w.juju.state, config: { ...w.juju.state.config, overwrite: true } });
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.host.actions.filter((a) => a.includes('vdb'))).toEqual(['wipe /dev/vdb', 'vgcreate lxd_vg /dev/vdb']);

  // a filesystem comes back on it: the second wipe is refused
  w.host.vgs.delete('lxd_vg');
  w.host.devices.set('/dev/vdb', fs('xfs'));
  w.lxd.pools.delete('lxd');
  expect((await runStorageHook(w, 'attached', 'local/0')).exitCode).toBe(0);
  expect(w.juju.unitStatus.message).toBe('/dev/vdb holds a xfs filesystem although it was wiped once already; refusing to wipe it twice');
  expect(w.host.actions.filter((a) => a.startsWith('wipe'))).toEqual(['wipe /dev/vdb']);
});

test('detaching a device that is a physical volume of the pool fails the hook, blocked naming what to run; once it is out, the detach goes through', async () => {
  const w = world({ 'block-devices': '/dev/vdb' }, { devices: { '/dev/vdb': empty, '/dev/vdc': empty } }, aUnit().withStorage('local/0', '/dev/vdc'));
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/vdb', '/dev/vdc']);
  const stateBefore = w.juju.state.charmState;

  const refused = await runStorageHook(w, 'detaching', 'local/0');
  expect(refused.exitCode).not.toBe(0);
  const message = 'Juju storage local/0 (/dev/vdc) is a physical volume of volume group lxd_vg (storage pool lxd); LVM cannot lose it without losing data, so its detaching hook fails until it is out: pvmove /dev/vdc && vgreduce lxd_vg /dev/vdc, then juju resolve the unit';
  expect(w.juju.unitStatus).toEqual({ status: 'blocked', message });
  expect(w.host.vgs.get('lxd_vg')).toEqual(['/dev/vdb', '/dev/vdc']);
  expect(w.juju.state.charmState).toEqual(stateBefore);

  // the operator moves the extents off and reduces the volume group; juju resolve retries the hook
  w.host.vgs.set('lxd_vg', ['/dev/vdb']);
  expect((await runStorageHook(w, 'detaching', 'local/0')).exitCode).toBe(0);
  expect(w.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd on 1 device/);
  expect(w.juju.state.charmState['pool-devices']).not.toContain('local/0');
  // Juju detaches it: the next hooks change nothing
  w.juju.detachStorage('local/0');
  expect(await writesOf(w, () => runHook('config-changed', w))).toEqual([]);
});

test('detaching the device a btrfs pool stands on fails the hook with the way out; a device not in the pool detaches quietly', async () => {
  const w = world({ 'storage-type': 'btrfs' }, { devices: { '/dev/vdb': empty } }, aUnit().withStorage('local/0', '/dev/vdb'));
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.lxd.pools.get('lxd')).toMatchObject({ driver: 'btrfs', config: { source: '/dev/vdb' } });

  expect((await runStorageHook(w, 'detaching', 'local/0')).exitCode).not.toBe(0);
  expect(w.juju.unitStatus.message).toBe('Juju storage local/0 (/dev/vdb) holds the btrfs storage pool lxd; detaching it would destroy the pool, so its detaching hook fails until the pool is gone: move the instances off, lxc storage delete lxd, then juju resolve the unit');

  // storage the pool never took (it was refused for its content) detaches without a word
  const other = world({}, { devices: { '/dev/vdb': fs('ext4') } }, aUnit().withStorage('local/0', '/dev/vdb'));
  expect((await runHook('config-changed', other)).exitCode).toBe(0);
  expect(other.juju.unitStatus.status).toBe('blocked');
  expect((await runStorageHook(other, 'detaching', 'local/0')).exitCode).toBe(0);
  expect(other.juju.unitStatus.message).toMatch(/^Unit is ready/);
  expect(other.host.actions.filter((a) => a.includes('vdb'))).toEqual([]);
});

test('storage-list answers nothing: no storage, the pool as block-devices says', async () => {
  const w = world();
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.juju.calls).toContain('storage-list');
  expect(w.juju.calls).not.toContain('storage-get');
  expect(w.juju.unitStatus.status).toBe('active');
});
