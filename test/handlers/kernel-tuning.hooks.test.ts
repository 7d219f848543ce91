// sysctl-tuning and kernel-hardening through the charm's event table: state in (FakeJuju config and
// charm state, FakeHost's kernel) → config-changed → state out; a second run changes nothing.
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import type { ConfigValue } from '../../src/juju/hook-tools';
import { HARDENING_FILE, PRODUCTION_SYSCTL, SYSCTL_FILE } from '../../src/model/kernel-tuning';
import { FakeHost, type FakeHostOptions } from '../fakes/fake-host';
import { STOCK_SYSCTL } from '../fakes/fake-kernel';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

interface World {
  juju: FakeJuju;
  readonly lxd: FakeLxd;
  readonly host: FakeHost;
}

const world = (config: Record<string, ConfigValue> = {}, host: FakeHostOptions = {}): World => ({
  juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false, ...config })),
  lxd: new FakeLxd(),
  host: new FakeHost({ modules: ['netlink_diag'], ext4Userns: true, ...host }),
});

/** Runs config-changed and returns what it did on the host (and every other write). */
async function configChanged(w: World): Promise<{ host: string[]; other: string[] }> {
  const before = { juju: w.juju.writes.length, lxd: w.lxd.writes.length, host: w.host.actions.length };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  return { host: w.host.actions.slice(before.host), other: [...w.juju.writes.slice(before.juju), ...w.lxd.writes.slice(before.lxd)] };
}

function configure(w: World, values: Record<string, ConfigValue>): void {
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, config: { ...state.config, ...values } });
}

const sysctlWrites = (actions: readonly string[]): string[] => actions.filter((a) => a.startsWith('sysctl -w '));

describe('sysctl-tuning', () => {
  test('on by default: the drop-in is written, every production value applied, the old values recorded; a second run changes nothing', async () => {
    const w = world();
    const first = await configChanged(w);
    expect(w.host.kernel.files.get(SYSCTL_FILE)).toContain('fs.inotify.max_user_watches = 1048576\n');
    expect(sysctlWrites(first.host)).toEqual(Object.entries(PRODUCTION_SYSCTL).map(([k, v]) => `sysctl -w ${k}=${v}`));
    expect(Object.fromEntries(w.host.kernel.sysctl)).toEqual(PRODUCTION_SYSCTL);
    expect(JSON.parse(w.juju.state.charmState['sysctl-previous'] ?? '{}')).toEqual(STOCK_SYSCTL);
    expect(w.juju.unitStatus.status).toBe('active');

    const reads = w.host.kernel.sysctlReads;
    const second = await configChanged(w);
    expect(second).toEqual({ host: [], other: [] });
    expect(w.host.kernel.sysctlReads).toBe(reads); // steady state spawns no sysctl
  });

  test('turned off: the drop-in is removed and the recorded values restored; state forgets them', async () => {
    const w = world();
    await configChanged(w);
    configure(w, { 'sysctl-tuning': false });
    const off = await configChanged(w);
    expect(off.host).toContain(`rm ${SYSCTL_FILE}`);
    expect(w.host.kernel.files.has(SYSCTL_FILE)).toBe(false);
    expect(Object.fromEntries(w.host.kernel.sysctl)).toEqual(STOCK_SYSCTL);
    expect(w.juju.state.charmState['sysctl-previous'] ?? '').toBe(''); // forgotten (Juju keeps an emptied key as "")
    expect(w.juju.state.charmState['sysctl-applied'] ?? '').toBe(''); // forgotten (Juju keeps an emptied key as "")
    expect(await configChanged(w)).toEqual({ host: [], other: [] });
  });

  test('a key the host cannot set is logged by name and skipped; status stays ready and it is not retried', async () => {
    const w = world({}, { kernel: { readOnlySysctl: ['kernel.keys.maxkeys'] } });
    await configChanged(w);
    expect(w.juju.logs).toContainEqual(expect.stringMatching(/^WARNING sysctl kernel\.keys\.maxkeys cannot be set on this host \(.*Read-only file system\): skipped$/));
    expect(w.host.kernel.sysctl.get('kernel.keys.maxkeys')).toBe(STOCK_SYSCTL['kernel.keys.maxkeys']);
    expect(w.host.kernel.sysctl.get('vm.max_map_count')).toBe('262144');
    expect(w.juju.unitStatus.status).toBe('active');
    expect(await configChanged(w)).toEqual({ host: [], other: [] });
  });

  test('off from the start: nothing is written, read or recorded', async () => {
    const w = world({ 'sysctl-tuning': false, 'kernel-hardening': false });
    const first = await configChanged(w);
    expect(first.host.filter((a) => /^(write|rm|sysctl|chmod) /.test(a))).toEqual([]);
    expect(w.host.kernel.sysctlReads).toBe(0);
  });
});

describe('kernel-hardening', () => {
  test('on by default: the tmpfiles entry is written and both paths restricted, old modes recorded; a second run changes nothing', async () => {
    const w = world();
    const first = await configChanged(w);
    expect(w.host.kernel.files.get(HARDENING_FILE)).toContain('z /proc/sched_debug 0400 - - -\nz /sys/kernel/slab 0700 - - -\n');
    expect(first.host).toEqual(expect.arrayContaining(['chmod 400 /proc/sched_debug', 'chmod 700 /sys/kernel/slab']));
    expect(JSON.parse(w.juju.state.charmState['hardening-previous'] ?? '{}')).toEqual({ '/proc/sched_debug': '0444', '/sys/kernel/slab': '0755' });
    expect(await configChanged(w)).toEqual({ host: [], other: [] });
  });

  test('turned off: the entry is removed and the recorded modes restored', async () => {
    const w = world();
    await configChanged(w);
    configure(w, { 'kernel-hardening': false });
    await configChanged(w);
    expect(w.host.kernel.files.has(HARDENING_FILE)).toBe(false);
    expect(w.host.kernel.modes.get('/proc/sched_debug')).toBe(0o444);
    expect(w.host.kernel.modes.get('/sys/kernel/slab')).toBe(0o755);
    expect(w.juju.state.charmState['hardening-previous'] ?? '').toBe(''); // forgotten (Juju keeps an emptied key as "")
    expect(await configChanged(w)).toEqual({ host: [], other: [] });
  });

  test('a path this kernel lacks is skipped with a log line naming it; the other is restricted', async () => {
    const w = world({}, { kernel: { modes: { '/sys/kernel/slab': 0o755 } } });
    await configChanged(w);
    expect(w.juju.logs).toContain('INFO kernel-hardening: /proc/sched_debug does not exist on this kernel: skipped');
    expect(w.host.kernel.modes.get('/sys/kernel/slab')).toBe(0o700);
    expect(w.juju.unitStatus.status).toBe('active');
    expect(await configChanged(w)).toEqual({ host: [], other: [] });
  });
});
