// The lxd-snap resource end to end: the PACKED charm deployed with `--resource lxd-snap=<file>` on a
// snap-shaped machine (Ubuntu, the emulator's snap shim, a real LXD daemon underneath). The charm
// installs the file with `snap install --dangerous` (the shim checks the flag and the squashfs magic),
// a second converge changes nothing, `attach-resource` with an empty file fires upgrade-charm and the
// charm refreshes back to lxd-channel with --amend; on a deb machine the resource is only logged.
// Root only; the model is destroyed in afterAll, also on failure.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinCharm, Model } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { unitShell } from './helpers/units';
import { modelHome } from './helpers/model-home';

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/lxc');
jest.setTimeout(600_000);

/** what the charm logs when it changes the snap */
const SNAP_CHANGE = /INFO \S+ (?:[\w-]+:\d+: )?(install the lxd snap|move the sideloaded lxd snap|refresh the lxd snap)/;

if (!runnable && process.env.CI === 'true') {
  test('lxd-snap resource e2e', () => {
    throw new Error('needs root and /usr/bin/lxc (scripts/setup-host.sh), CI=true does not skip');
  });
}

(runnable ? describe : describe.skip)('the lxd-snap resource on snap-shaped and deb machines', () => {
  const home = modelHome('rese2e-', () => model);
  const snapFile = path.join(home, 'lxd.snap');
  const emptyFile = path.join(home, 'empty.snap');
  let model: Model;
  let charm = '';
  const shell = unitShell(() => model);
  const snapUnit = (): string => Object.keys(model.state.units).find((u) => u.startsWith('lxd/')) ?? 'lxd/0';
  const debUnit = (): string => Object.keys(model.state.units).find((u) => u.startsWith('lxd-deb/')) ?? 'lxd-deb/0';
  const snapList = async (): Promise<string[]> => (await shell.ok(snapUnit(), 'snap list lxd')).trim().split('\n')[1]?.trim().split(/\s+/).slice(-4) ?? [];

  beforeAll(async () => {
    charm = ensurePackedCharm();
    // a squashfs header and some bytes: what the shim (and snapd) checks first
    writeFileSync(snapFile, Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(4092, 1)]));
    writeFileSync(emptyFile, '');
    model = await Model.create({ name: `rese2e-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0, lxdPackaging: 'snap' } });
    await model.deploy('lxd', charm, { config: { 'storage-type': 'dir' }, resources: { 'lxd-snap': snapFile } });
    model.relate('lxd', 'nova-compute');
    await model.deploy('nova-deb', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd-deb', charm, { config: { 'storage-type': 'dir' }, resources: { 'lxd-snap': snapFile } });
    model.relate('lxd-deb', 'nova-deb');
    await shell.settle();
  }, 600_000);


  test('deploy --resource: the snap machine runs the file with snap install --dangerous; the unit is ready on it', async () => {
    const unit = snapUnit();
    expect(model.debugLog(unit)).toMatch(/install the lxd snap from resource lxd-snap \(snap install --dangerous \/var\/lib\/juju\/agents\/unit-lxd-\d+\/resources\/lxd-snap\/lxd\.snap/);
    // Rev, Tracking, Publisher, Notes of a sideloaded snap
    expect(await snapList()).toEqual(['x1', '-', '-', '-']);
    expect(model.state.units[unit]?.state['snap-sideload']).toMatch(/^[0-9a-f]{64}$/);
    expect(shell.statusOf(unit)).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready/) });
    expect((await shell.ok(unit, 'lxc storage list --format csv')).trim()).toMatch(/^lxd,dir/);
  });

  test('a second full converge changes nothing', async () => {
    const unit = snapUnit();
    const mark = model.debugLog(unit).length;
    const before = { ...model.state.units[unit]?.state };
    model.upgrade('lxd', charm);
    await shell.settle();
    const log = model.debugLog(unit).slice(mark);
    expect(log).toContain('ran "upgrade-charm" hook');
    expect(log).not.toMatch(SNAP_CHANGE);
    expect(log).not.toContain('Configuring LXD');
    expect(await snapList()).toEqual(['x1', '-', '-', '-']);
    expect(model.state.units[unit]?.state).toEqual(before);
  });

  test('attach-resource with an empty file: upgrade-charm refreshes back to lxd-channel with --amend; then nothing more', async () => {
    const unit = snapUnit();
    const mark = model.debugLog(unit).length;
    model.attachResource('lxd', 'lxd-snap', emptyFile);
    await shell.settle();
    const log = model.debugLog(unit).slice(mark);
    expect(log).toContain('ran "upgrade-charm" hook');
    expect(log).toContain('move the sideloaded lxd snap back to the store\'s 5.21/stable (snap refresh lxd --amend --channel=5.21/stable)');
    const [rev, tracking, publisher] = await snapList();
    expect({ local: rev?.startsWith('x'), tracking, publisher }).toEqual({ local: false, tracking: '5.21/stable', publisher: 'canonical**' });
    expect(model.state.units[unit]?.state['snap-sideload'] ?? '').toBe('');
    expect(shell.statusOf(unit).status).toBe('active');

    const again = model.debugLog(unit).length;
    model.upgrade('lxd', charm);
    await shell.settle();
    expect(model.debugLog(unit).slice(again)).not.toMatch(SNAP_CHANGE);
  });

  test('a deb machine ignores the resource with a log line and never runs snap', async () => {
    const unit = debUnit();
    expect(model.debugLog(unit)).toContain('resource lxd-snap (4096 bytes) is ignored: LXD on this host is the distro package, not the snap');
    expect(model.debugLog(unit)).not.toMatch(SNAP_CHANGE);
    expect(shell.statusOf(unit)).toMatchObject({ status: 'active' });
  });
});
