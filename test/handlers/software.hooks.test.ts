// Software after install, through the event table: a config that needs another package gets it
// before anything uses it; a package that cannot be installed blocks, naming it; the lxd snap follows
// lxd-channel forward and is never taken back a track; the steady state asks the host nothing.
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost, type FakeHostOptions } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';
import type { ConfigValue } from '../../src/juju/hook-tools';

interface World { juju: FakeJuju; lxd: FakeLxd; host: FakeHost }

async function converged(config: Record<string, ConfigValue> = {}, host: FakeHostOptions = {}): Promise<World> {
  const w: World = { juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false, ...config })), lxd: new FakeLxd(), host: new FakeHost(host) };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  return w;
}

async function configure(w: World, values: Record<string, ConfigValue>): Promise<void> {
  w.juju = new FakeJuju({ ...w.juju.state, config: { ...w.juju.state.config, ...values } });
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
}

test('switching to zfs installs the ZFS tools before the pool is made', async () => {
  const w = await converged({ 'storage-type': 'dir', 'storage-pool': 'lxd' });
  const before = w.host.actions.length;
  // the charm never orphans its pool: the operator deletes the old one by hand first
  w.lxd.profiles.set('default', { config: {}, devices: {} });
  w.lxd.pools.delete('lxd');
  await configure(w, { 'storage-type': 'zfs', 'storage-pool': 'tank', 'block-devices': '/srv/z.img|1G' });
  expect(w.host.actions.slice(before)[0]).toBe('apt-get install zfsutils-linux');
  expect(w.lxd.writes.some((c) => c.startsWith('POST /1.0/storage-pools tank'))).toBe(true);
  expect(w.juju.state.charmState['ensured-packages']).toContain('zfsutils-linux');
});

test('a package that cannot be installed blocks, naming it and apt\'s words', async () => {
  const w = await converged({}, { broken: { criu: 'E: Unable to locate package criu' } });
  await configure(w, { 'use-criu': true });
  expect(w.juju.unitStatus).toMatchObject({ status: 'blocked', message: expect.stringContaining('criu') });
  expect(w.juju.unitStatus.message).toContain('Unable to locate package criu');
});

describe('the lxd snap (Ubuntu)', () => {
  const ubuntu: FakeHostOptions = { os: { id: 'ubuntu', versionId: '24.04' }, packages: ['lvm2', 'thin-provisioning-tools', 'btrfs-progs', 'nftables', 'dnsmasq-base', 'uidmap'], snaps: { lxd: '5.21/stable' } };

  test('follows lxd-channel forward; a later hook asks the host nothing', async () => {
    const w = await converged({}, ubuntu);
    expect(w.juju.state.charmState['snap-channel']).toBe('5.21/stable');
    await configure(w, { 'lxd-channel': '6/stable' });
    expect(w.host.actions).toContain('snap refresh lxd --channel=6/stable');
    expect(w.juju.unitStatus.status).toBe('active');
    const actions = w.host.actions.length;
    await configure(w, {});
    expect(w.host.actions.length).toBe(actions);
  });

  test('is never taken back a track: blocked, saying why, and nothing refreshed', async () => {
    const w = await converged({}, ubuntu);
    await configure(w, { 'lxd-channel': '5.0/stable' });
    expect(w.host.actions.filter((a) => a.startsWith('snap'))).toEqual([]);
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: 'lxd-channel 5.0/stable would take LXD back from 5.21/stable: LXD cannot downgrade its database (set lxd-channel to 5.21/stable or newer)' });
  });
});
