// Issue 15's host features end to end: the PACKED charm beside the nova-compute stand-in on a namespace
// machine with its own real LXD daemon. sysctl-tuning goes through the emulator's sysctl shim (writes
// stay in the machine's own file: the host kernel's global values must not change), kernel-hardening
// through the machine's private stand-ins for /proc/sched_debug and /sys/kernel/slab. Each feature is
// turned on, checked, run again with nothing to do (no writes), and turned off.
// Root only; the model is destroyed in afterAll, also on failure.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinCharm, Model } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { unitShell } from './helpers/units';
import { modelHome } from './helpers/model-home';

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/lxc');
jest.setTimeout(600_000);

const PRODUCTION: Record<string, string> = {
  'fs.aio-max-nr': '524288',
  'fs.inotify.max_queued_events': '1048576',
  'fs.inotify.max_user_instances': '1048576',
  'fs.inotify.max_user_watches': '1048576',
  'kernel.dmesg_restrict': '1',
  'kernel.keys.maxbytes': '2000000',
  'kernel.keys.maxkeys': '2000',
  'net.core.bpf_jit_limit': '1000000000',
  'net.ipv4.neigh.default.gc_thresh3': '8192',
  'net.ipv6.neigh.default.gc_thresh3': '8192',
  'vm.max_map_count': '262144',
};
/** a change the kernel-tuning appliers log (juju-log lines look like "INFO unit.lxd/0.juju-log lxd-migration:1: write …") */
const CHANGE_LINE = /INFO \S+ (?:[\w-]+:\d+: )?(write \/etc|remove \/etc|set sysctl|restore|restrict|record the kernel|forget the recorded)/;
/** the key the machine refuses, as a container's read-only /proc/sys would */
const READ_ONLY_KEY = 'kernel.keys.maxkeys';

const hostKernel = (): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const key of Object.keys(PRODUCTION)) {
    const file = `/proc/sys/${key.replace(/\./g, '/')}`;
    if (existsSync(file)) out[key] = readFileSync(file, 'utf8').trim();
  }
  return out;
};
const hostMode = (p: string): string | null => (existsSync(p) ? (statSync(p).mode & 0o7777).toString(8) : null);

if (!runnable && process.env.CI === 'true') {
  test('host features e2e', () => {
    throw new Error('needs root and /usr/bin/lxc (scripts/setup-host.sh), CI=true does not skip');
  });
}

(runnable ? describe : describe.skip)('host features of the packed charm on real LXD', () => {
  const home = modelHome('hfe2e-', () => model);
  let model: Model;
  let charm = '';
  const shell = unitShell(() => model);
  const unit = 'lxd/0';
  const kernelBefore = hostKernel();
  const slabBefore = hostMode('/sys/kernel/slab');
  const schedBefore = hostMode('/proc/sched_debug');
  const machineDir = (): string => String(model.state.machines[model.state.units[unit]?.machine ?? '']?.handles.machineDir ?? '');
  const logSince = (mark: number): string => model.debugLog(unit).slice(mark);
  const state = (): Record<string, string> => model.state.units[unit]?.state ?? {};

  /** upgrade-charm always converges fully: what it did must be nothing */
  const convergeAgain = async (): Promise<string> => {
    const mark = model.debugLog(unit).length;
    model.upgrade('lxd', charm);
    await shell.settle();
    return logSince(mark);
  };
  const fileStamps = async (): Promise<string> =>
    shell.ok(unit, `stat -c '%n %Y %s' /etc/sysctl.d/60-lxd.conf /etc/tmpfiles.d/lxd.conf 2>/dev/null; cat ${machineDir()}/sysctl.values 2>/dev/null || true`).catch(() => '');

  beforeAll(async () => {
    charm = ensurePackedCharm();
    model = await Model.create({ name: `hfe2e-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0 } });
    await shell.settle();
    const machine = Object.values(model.state.machines)[0];
    writeFileSync(path.join(String(machine?.handles.machineDir), 'sysctl.readonly'), `${READ_ONLY_KEY}\n`);
    await model.deploy('lxd', charm, { config: { 'storage-type': 'dir', 'bridge-ipv4': '10.232.1.1/24' } });
    model.relate('lxd', 'nova-compute');
    await shell.settle();
  }, 600_000);


  test('sysctl-tuning (default): the drop-in is written, values applied in the machine, the refused key logged, status ready', async () => {
    expect(shell.statusOf(unit)).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready/) });
    const file = await shell.ok(unit, 'cat /etc/sysctl.d/60-lxd.conf');
    for (const [key, value] of Object.entries(PRODUCTION)) expect(file).toContain(`${key} = ${value}\n`);
    const log = model.debugLog(unit);
    const refused = (key: string, why: string): RegExp => new RegExp(`WARNING \\S+ (?:[\\w-]+:\\d+: )?sysctl ${key.replace(/\./g, '\\.')} cannot be set on this host \\(.*${why}\\): skipped`);
    for (const [key, value] of Object.entries(PRODUCTION)) {
      const seen = (await shell.ok(unit, `sysctl -e -n ${key}`)).trim();
      // a key the machine's kernel does not show (net.core.bpf_jit_limit exists in the host's network namespace only)
      if (seen === '') expect(log).toMatch(refused(key, 'No such file or directory'));
      else expect(`${key}=${seen}`).toBe(`${key}=${key === READ_ONLY_KEY ? kernelBefore[key] : value}`);
    }
    expect(log).toMatch(refused(READ_ONLY_KEY, 'Read-only file system'));
    expect(log).toMatch(CHANGE_LINE); // the pattern the no-change runs below must not match
    // the previous values were recorded before the first write
    expect(JSON.parse(state()['sysctl-previous'] ?? '{}')).toMatchObject({ 'vm.max_map_count': kernelBefore['vm.max_map_count'] });
    // and the host kernel's global values did not move
    expect(hostKernel()).toEqual(kernelBefore);
  });

  test('kernel-hardening (default): tmpfiles entry, /sys/kernel/slab 0700 in the machine only, /proc/sched_debug restricted or skipped with a log line', async () => {
    expect(await shell.ok(unit, 'cat /etc/tmpfiles.d/lxd.conf')).toContain('z /sys/kernel/slab 0700 - - -\n');
    if (slabBefore !== null) expect((await shell.ok(unit, 'stat -c %a /sys/kernel/slab')).trim()).toBe('700');
    if (schedBefore !== null) expect((await shell.ok(unit, 'stat -c %a /proc/sched_debug')).trim()).toBe('400');
    else expect(model.debugLog(unit)).toContain('kernel-hardening: /proc/sched_debug does not exist on this kernel: skipped');
    expect(hostMode('/sys/kernel/slab')).toBe(slabBefore);
    expect(hostMode('/proc/sched_debug')).toBe(schedBefore);
  });

  test('a second full converge changes nothing: no change logged, files and the machine kernel untouched', async () => {
    const before = await fileStamps();
    const log = await convergeAgain();
    expect(log).toContain('ran "upgrade-charm" hook');
    expect(log).not.toMatch(CHANGE_LINE);
    expect(log).not.toContain('Configuring LXD');
    expect(await fileStamps()).toBe(before);
    expect(shell.statusOf(unit).status).toBe('active');
  });

  test('turned off: the drop-ins are removed, recorded sysctl values and modes restored; then nothing more to do', async () => {
    expect(model.config('lxd', { 'sysctl-tuning': false, 'kernel-hardening': false })).toBe(true);
    await shell.settle();
    expect(shell.statusOf(unit).status).toBe('active');
    expect((await shell.sh(unit, 'test -e /etc/sysctl.d/60-lxd.conf || test -e /etc/tmpfiles.d/lxd.conf')).exitCode).not.toBe(0);
    expect((await shell.ok(unit, 'sysctl -n vm.max_map_count')).trim()).toBe(kernelBefore['vm.max_map_count']);
    expect((await shell.ok(unit, 'sysctl -n fs.inotify.max_user_watches')).trim()).toBe(kernelBefore['fs.inotify.max_user_watches']);
    if (slabBefore !== null) expect((await shell.ok(unit, 'stat -c %a /sys/kernel/slab')).trim()).toBe('755');
    expect(state()['sysctl-previous'] ?? '').toBe(''); // forgotten (Juju keeps an emptied key as "")
    expect(state()['hardening-previous'] ?? '').toBe(''); // forgotten (Juju keeps an emptied key as "")
    const log = await convergeAgain();
    expect(log).not.toMatch(CHANGE_LINE);
    expect(hostKernel()).toEqual(kernelBefore);
  });

  const PRESEED = [
    'config:',
    '  images.auto_update_interval: 6', // LXD's default: not stored, so the charm must remember it set it
    '  images.remote_cache_expiry: 5',
    'storage_pools:',
    '- name: scratch',
    '  driver: dir',
    'networks:',
    '- name: hfe2e-br',
    '  type: bridge',
    '  config: { ipv4.address: 10.233.1.1/24, ipv4.nat: false, ipv6.address: none }',
    'projects:',
    '- name: tenant',
    '  config: { features.images: false }',
    'profiles:',
    '- name: big',
    '  config: { limits.cpu: 2 }',
    '  devices:',
    '    eth1: { type: nic, name: eth1, network: hfe2e-br }',
    '- name: default',
    '  config: { security.nesting: true }',
    '',
  ].join('\n');
  const query = async (url: string): Promise<Record<string, unknown>> => JSON.parse(await shell.ok(unit, `lxc query ${url}`)) as Record<string, unknown>;
  const PRESEED_CHANGE = /INFO \S+ (?:[\w-]+:\d+: )?(create LXD|set .*) \(lxd-preseed\)/;

  test('lxd-preseed: applied through the API beside what the charm manages; a second converge sends nothing', async () => {
    const mark = model.debugLog(unit).length;
    expect(model.config('lxd', { 'lxd-preseed': PRESEED })).toBe(true);
    await shell.settle();
    expect(shell.statusOf(unit)).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready/) });
    expect(logSince(mark)).toMatch(PRESEED_CHANGE);
    expect(await query('/1.0/storage-pools/scratch')).toMatchObject({ driver: 'dir', status: 'Created' });
    expect(await query('/1.0/networks/hfe2e-br')).toMatchObject({ type: 'bridge', managed: true, config: expect.objectContaining({ 'ipv4.address': '10.233.1.1/24', 'ipv4.nat': 'false' }) });
    expect(await query('/1.0/projects/tenant')).toMatchObject({ config: expect.objectContaining({ 'features.images': 'false' }) });
    expect(await query('/1.0/profiles/big')).toMatchObject({ config: { 'limits.cpu': '2' }, devices: { eth1: { type: 'nic', name: 'eth1', network: 'hfe2e-br' } } });
    // the charm's devices stay on the default profile; the preseed's key joins them
    expect(await query('/1.0/profiles/default')).toMatchObject({ config: expect.objectContaining({ 'security.nesting': 'true' }), devices: { root: { pool: 'lxd' }, eth0: { network: 'lxdbr0' } } });
    expect(await query('/1.0')).toMatchObject({ config: expect.objectContaining({ 'images.remote_cache_expiry': '5' }) });

    const etag = await shell.ok(unit, 'lxc query -X GET /1.0/profiles/default | sha256sum');
    const log = await convergeAgain();
    expect(log).not.toMatch(PRESEED_CHANGE);
    expect(log).not.toContain('Configuring LXD');
    expect(await shell.ok(unit, 'lxc query -X GET /1.0/profiles/default | sha256sum')).toBe(etag);
  });

  test('lxd-preseed: invalid YAML, an unknown section and a conflict with a charm-managed key block, naming them; LXD is left as it was', async () => {
    const before = await query('/1.0');
    const cases: Array<[string, RegExp]> = [
      ['config:\n  a: 1\n b: [2\n', /^invalid config: lxd-preseed is not valid YAML \(line 3: /],
      ['cluster:\n  enabled: true\n', /^invalid config: lxd-preseed has unknown section cluster \(line 1\)/],
      [`${PRESEED}storage_pools_extra: []\n`.replace('- name: scratch', '- name: lxd'), /unknown section storage_pools_extra \(line 21\).*; lxd-preseed storage_pools lxd \(line 5\) conflicts with storage-pool: the charm manages pool lxd$/],
      ['config:\n  core.trust_password: x\n', /config\.core\.trust_password \(line 2\) conflicts with trust-password/],
    ];
    for (const [preseed, message] of cases) {
      expect(model.config('lxd', { 'lxd-preseed': preseed })).toBe(true);
      await shell.settle();
      expect(shell.statusOf(unit)).toMatchObject({ status: 'blocked', message: expect.stringMatching(message) });
    }
    expect((await query('/1.0')).config).toEqual(before.config);
    expect(await query('/1.0/storage-pools/lxd')).toMatchObject({ driver: 'dir' });
    // put right: ready again, nothing left to do
    expect(model.config('lxd', { 'lxd-preseed': PRESEED })).toBe(true);
    await shell.settle();
    expect(shell.statusOf(unit).status).toBe('active');
  });
});
