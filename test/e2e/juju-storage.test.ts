// Juju storage `local` end to end: the PACKED charm deployed with `--storage local=loop,1G` beside the
// nova-compute stand-in on a namespace machine with its own LXD daemon. The emulator attaches a loop
// device as the storage instance (storage-list, storage-get, local-storage-attached before install);
// the charm's lvm pool takes it beside a block-devices loop file; a second converge changes nothing;
// detaching it while it is a physical volume fails the hook (Juju keeps the device) with what to run,
// and after the operator's vgreduce, `resolve` lets it go.
// Root only; the model is destroyed in afterAll, also on failure.
import { existsSync } from 'node:fs';
import { builtinCharm, Model, parseStorageDirective } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { unitShell } from './helpers/units';
import { modelHome } from './helpers/model-home';

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/lxc') && existsSync('/sbin/vgcreate');
jest.setTimeout(600_000);

/** what the charm logs for a change it applies to the pool or its devices (describeChange) */
const POOL_CHANGE = /INFO \S+ (?:[\w-]+:\d+: )?(create volume group|extend volume group|extend thin pool|wipe |attach loop file|create \w+ storage pool|remember pool devices)/;

if (!runnable && process.env.CI === 'true') {
  test('juju storage e2e', () => {
    throw new Error('needs root, /usr/bin/lxc and LVM (scripts/setup-host.sh), CI=true does not skip');
  });
}

(runnable ? describe : describe.skip)('Juju storage local on the packed charm and real LXD', () => {
  const home = modelHome('stoe2e-', () => model);
  let model: Model;
  let charm = '';
  const shell = unitShell(() => model);
  const unit = 'lxd/0';
  const storage = (): Record<string, { location: string; life: string }> => model.state.storage ?? {};
  const loopOf = (id: string): string => storage()[id]?.location ?? '(none)';

  beforeAll(async () => {
    charm = ensurePackedCharm();
    model = await Model.create({ name: `stoe2e-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd', charm, {
      config: { 'storage-type': 'lvm', 'lvm-thinpool': false, 'block-devices': '/var/lib/lxd/disks/base.img|1G' },
      storage: [parseStorageDirective('local=loop,1G')],
    });
    model.relate('lxd', 'nova-compute');
    await shell.settle();
  }, 600_000);


  test('deploy --storage: local-storage-attached runs before install, the lvm pool spans the block-devices file and the storage device', async () => {
    const log = model.debugLog(unit);
    expect(log.indexOf('ran "local-storage-attached" hook')).toBeGreaterThan(-1);
    expect(log.indexOf('ran "local-storage-attached" hook')).toBeLessThan(log.indexOf('ran "install" hook'));
    expect(log).toContain(`storage local/0 attached at ${loopOf('local/0')} before install`);
    expect(shell.statusOf(unit)).toEqual({ status: 'active', message: expect.stringMatching(/^Unit is ready \(lvm pool lxd .*on 2 devices/) });
    const pvs = await shell.ok(unit, 'pvs --noheadings -o pv_name,vg_name');
    expect(pvs).toMatch(new RegExp(`${loopOf('local/0')}\\s+lxd_vg`));
    expect((await shell.ok(unit, 'lxc storage show lxd')).toString()).toContain('driver: lvm');
    // the hook tools the charm used, as a hook sees them
    expect(model.state.units[unit]?.state['pool-devices']).toContain('local/0');
  });

  test('a second full converge changes nothing', async () => {
    const mark = model.debugLog(unit).length;
    const stateBefore = { ...model.state.units[unit]?.state };
    model.upgrade('lxd', charm);
    await shell.settle();
    const log = model.debugLog(unit).slice(mark);
    expect(log).toContain('ran "upgrade-charm" hook');
    expect(log).not.toMatch(POOL_CHANGE);
    expect(log).not.toContain('Configuring LXD');
    expect(model.state.units[unit]?.state).toEqual(stateBefore);
  });

  test('add-storage past the charm\'s range 0-1 is refused', async () => {
    await expect(model.addStorage(unit, parseStorageDirective('local=1G'))).rejects.toThrow('the charm allows at most 1 (it has 1)');
  });

  test('detaching the storage while it is a physical volume: the hook fails, blocked with the commands; after vgreduce, resolve lets it go', async () => {
    const device = loopOf('local/0');
    model.detachStorage('local/0');
    const report = await model.settle();
    expect(report.failed.map((f) => f.label)).toEqual(['local-storage-detaching']);
    const why = `Juju storage local/0 (${device}) is a physical volume of volume group lxd_vg (storage pool lxd); LVM cannot lose it without losing data, so its detaching hook fails until it is out: pvmove ${device} && vgreduce lxd_vg ${device}, then juju resolve the unit`;
    // Juju shows the failed hook; the charm's own status (what resolve shows again) says why
    expect(shell.statusOf(unit)).toEqual({ status: 'error', message: 'hook failed: "local-storage-detaching"' });
    expect(model.state.units[unit]?.statusBeforeError).toMatchObject({ status: 'blocked', message: why });
    expect(model.debugLog(unit)).toContain(`refusing to let local/0 go: ${why}`);
    expect(storage()['local/0']?.life).toBe('detaching');
    expect(await shell.ok(unit, 'pvs --noheadings -o pv_name')).toContain(device);

    // the operator does what the status says (no extents on it: a dir-less lvm pool without instances)
    await shell.ok(unit, `vgreduce lxd_vg ${device}`);
    model.resolve(unit);
    await shell.settle();
    expect(storage()['local/0']).toBeUndefined();
    expect(await shell.ok(unit, 'losetup -a')).not.toContain(`${device}:`);
    expect(shell.statusOf(unit)).toEqual({ status: 'active', message: expect.stringMatching(/^Unit is ready \(lvm pool lxd .*on 1 device,/) });
    expect(model.state.units[unit]?.state['pool-devices']).not.toContain('local/0');
  });

  test('add-storage attaches a new instance: local-storage-attached extends the volume group', async () => {
    const [id] = await model.addStorage(unit, parseStorageDirective('local=loop,1G'));
    await shell.settle();
    expect(id).toBe('local/1');
    expect(await shell.ok(unit, 'pvs --noheadings -o pv_name,vg_name')).toMatch(new RegExp(`${loopOf('local/1')}\\s+lxd_vg`));
    expect(shell.statusOf(unit).message).toMatch(/^Unit is ready \(lvm pool lxd .*on 2 devices/);
  });
});
