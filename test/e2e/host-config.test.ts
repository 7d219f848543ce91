// Issue 3's host configuration, end to end: the PACKED charm (build/lxd.charm) as the subordinate of the
// nova-compute stand-in on namespace machines, each with its own real LXD 5.0.2 daemon and loop devices.
// One model holds three host pairs (lvm over two loop devices, a third added later; btrfs on a
// pre-formatted device; dir) and a client machine, so the daemons start once. This kernel has no device-mapper: lvm-thinpool=false.
// Root only; everything lives in one model that afterAll destroys, also on failure.
import { builtinCharm, Model, type Bag, type MachineRecord } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { describeWith, lvmReports, lxcClient, root } from './helpers/requirements';
import { modelHome } from './helpers/model-home';

// packs the charm itself (ensurePackedCharm), so the packed charm is not a requirement
const requirements = [root, lxcClient, lvmReports];
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
const VG = 'hce2e_vg';
const CLIENT_CONF = '/root/hce2e-client';
// a project's testTimeout does not apply when one file is run by path
jest.setTimeout(300_000);

interface Shell {
  exitCode: number;
  stdout: string;
  stderr: string;
}

describeWith(requirements, 'host configuration of the packed charm on real LXD', () => {
  const home = modelHome('hce2e-', () => model);
  let model: Model;
  let lvmDevices: string[] = [];
  let btrfsDevice = '';
  let ext4Uuid = '';

  const sh = async (target: string, script: string, stdin?: string): Promise<Shell> => {
    const r = await model.exec(target, ['sh', '-c', script], { env: ENV, timeoutMs: 120_000, ...(stdin !== undefined ? { stdin } : {}) });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = async (target: string, script: string, stdin?: string): Promise<string> => {
    const r = await sh(target, script, stdin);
    if (r.exitCode !== 0) throw new Error(`${target}: ${script} exited ${r.exitCode}: ${r.stderr}`);
    return r.stdout;
  };
  const query = async (target: string, url: string): Promise<Record<string, unknown>> => JSON.parse(await ok(target, `lxc query ${url}`)) as Record<string, unknown>;
  const workload = (unit: string) => model.state.units[unit]?.workloadStatus;
  const machineOf = (unit: string): MachineRecord => {
    const machine = model.state.machines[model.state.units[unit]?.machine ?? ''];
    if (!machine) throw new Error(`no machine for ${unit}`);
    return machine;
  };
  // stable /dev/vdX names when the emulator gives them, the loop device otherwise
  const devicesOf = (unit: string): string[] => machineOf(unit).loopDevices.map((l) => (l as { guestPath?: string }).guestPath ?? l.device);
  const hookRuns = (unit: string, hook: string): number => model.debugLog(unit).split('\n').filter((l) => l.includes(`ran "${hook}" hook`)).length;
  const settleClean = async (): Promise<void> => {
    const report = await model.settle();
    expect(report.failed.map((f) => `${f.unit} ${f.label}\n${model.debugLog(f.unit)}`)).toEqual([]);
  };

  beforeAll(async () => {
    const charm = ensurePackedCharm();
    model = await Model.create({ name: `hce2e-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-lvm', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 3, loopSizeGiB: 1 } });
    await model.deploy('nova-btrfs', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 1, loopSizeGiB: 1 } });
    await model.deploy('nova-dir', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('client', builtinCharm('test-charm'), { units: 1, machineOptions: { lxd: false, loopDevices: 0 } });
    // the third one is added to the pool later
    lvmDevices = devicesOf('nova-lvm/0').slice(0, 2);
    btrfsDevice = devicesOf('nova-btrfs/0')[0] ?? '';
    expect(lvmDevices).toHaveLength(2);
    // someone's data on the btrfs machine's disk: an ext4 filesystem holding a file
    await ok('nova-btrfs/0', `mkfs.ext4 -q -F -L hce2e-data ${btrfsDevice} && mkdir -p /root/hce2e-mnt && mount ${btrfsDevice} /root/hce2e-mnt && echo precious > /root/hce2e-mnt/data.txt && umount /root/hce2e-mnt`);
    ext4Uuid = (await ok('nova-btrfs/0', `blkid -o value -s UUID ${btrfsDevice}`)).trim();
    expect(ext4Uuid).not.toBe('');

    await model.deploy('lxd-lvm', charm, { config: { 'storage-type': 'lvm', 'lvm-thinpool': false, 'lvm-volume-group': VG, 'block-devices': lvmDevices.join(' '), 'bridge-ipv4': '10.231.1.1/24' } });
    await model.deploy('lxd-btrfs', charm, { config: { 'storage-type': 'btrfs', 'block-devices': btrfsDevice, overwrite: false, 'bridge-ipv4': '10.231.2.1/24' } });
    await model.deploy('lxd-dir', charm, { config: { 'storage-type': 'dir', 'bridge-ipv4': '10.231.3.1/24' } });
    for (const app of ['lvm', 'btrfs', 'dir']) model.relate(`lxd-${app}`, `nova-${app}`);
    await settleClean();
  }, 600_000);


  test('lvm: the volume group spans both loop devices and backs the pool lxd', async () => {
    expect(workload('lxd-lvm/0')).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready \(lvm pool lxd \d+(\.\d)? [MG]iB on 2 devices, bridge lxdbr0 10\.231\.1\.1\/24, listening /) });
    const pvs = await ok('lxd-lvm/0', 'pvs --noheadings --separator , -o pv_name,vg_name');
    expect(pvs.trim().split('\n').map((l) => l.trim()).sort()).toEqual(lvmDevices.map((d) => `${d},${VG}`).sort());
    expect((await ok('lxd-lvm/0', `vgs --noheadings --separator , -o vg_name,pv_count ${VG}`)).trim()).toBe(`${VG},2`);
    const pool = await query('lxd-lvm/0', '/1.0/storage-pools/lxd');
    expect(pool).toMatchObject({ driver: 'lvm', status: 'Created', config: expect.objectContaining({ source: VG, 'lvm.vg_name': VG, 'lvm.use_thinpool': 'false' }) });
    expect(await ok('lxd-lvm/0', 'lxc storage show lxd')).toMatch(/driver: lvm/);
    // the default profile's root disk is on it
    expect(await query('lxd-lvm/0', '/1.0/profiles/default')).toMatchObject({ devices: { root: { type: 'disk', path: '/', pool: 'lxd' }, eth0: { type: 'nic', network: 'lxdbr0' } } });
  });

  test('dir: a dir pool with no devices', async () => {
    expect(workload('lxd-dir/0')).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready \(dir pool lxd \d+(\.\d)? [MG]iB, bridge lxdbr0 10\.231\.3\.1\/24/) });
    expect(await query('lxd-dir/0', '/1.0/storage-pools/lxd')).toMatchObject({ driver: 'dir', status: 'Created' });
  });

  test('btrfs: a device holding ext4 is left alone with overwrite=false, wiped once with overwrite=true, never again', async () => {
    expect(workload('lxd-btrfs/0')).toMatchObject({ status: 'blocked', message: expect.stringContaining(`${btrfsDevice} holds`) });
    expect(workload('lxd-btrfs/0')?.message).toMatch(/set overwrite=true/);
    expect((await ok('lxd-btrfs/0', `blkid -o value -s UUID ${btrfsDevice}`)).trim()).toBe(ext4Uuid);
    expect(await ok('lxd-btrfs/0', `mount -o ro ${btrfsDevice} /root/hce2e-mnt && cat /root/hce2e-mnt/data.txt; umount /root/hce2e-mnt`)).toBe('precious\n');
    expect((await sh('lxd-btrfs/0', 'lxc query /1.0/storage-pools/lxd')).exitCode).not.toBe(0);
    // blocked: nova was not told to restart yet
    expect(model.state.units['nova-btrfs/0']?.state.restarts).toBe('0');

    expect(model.config('lxd-btrfs', { overwrite: true })).toBe(true);
    await settleClean();
    expect(workload('lxd-btrfs/0')).toMatchObject({ status: 'active', message: expect.stringMatching(/^Unit is ready \(btrfs pool lxd \d+(\.\d)? [MG]iB on 1 device, bridge lxdbr0 10\.231\.2\.1\/24/) });
    expect((await ok('lxd-btrfs/0', `blkid -o value -s TYPE ${btrfsDevice}`)).trim()).toBe('btrfs');
    const btrfsUuid = (await ok('lxd-btrfs/0', `blkid -o value -s UUID ${btrfsDevice}`)).trim();
    expect(btrfsUuid).not.toBe(ext4Uuid);
    expect(await query('lxd-btrfs/0', '/1.0/storage-pools/lxd')).toMatchObject({ driver: 'btrfs', status: 'Created' });
    expect(JSON.parse(model.state.units['lxd-btrfs/0']?.state['wiped-devices'] ?? '[]')).toEqual([btrfsDevice]);

    // a marker written after the wipe survives another config-changed: the device is not wiped again
    await ok('lxd-btrfs/0', 'lxc storage volume create lxd hce2e-marker');
    const configChanged = hookRuns('lxd-btrfs/0', 'config-changed');
    expect(model.config('lxd-btrfs', { 'lxd-channel': '5.0/stable' })).toBe(true);
    await settleClean();
    expect(hookRuns('lxd-btrfs/0', 'config-changed')).toBe(configChanged + 1);
    expect(workload('lxd-btrfs/0')?.status).toBe('active');
    expect((await ok('lxd-btrfs/0', `blkid -o value -s UUID ${btrfsDevice}`)).trim()).toBe(btrfsUuid);
    expect(await ok('lxd-btrfs/0', 'lxc storage volume list lxd --format csv')).toMatch(/hce2e-marker/);
  });

  test('nova can use LXD after the relation: the stand-in says so, and runuser -u nova -- lxc list works', async () => {
    for (const app of ['lvm', 'btrfs', 'dir']) {
      expect(workload(`nova-${app}/0`)).toMatchObject({ status: 'active', message: 'nova-compute ready (restarts: 1)' });
      const list = await sh(`nova-${app}/0`, 'runuser -u nova -- lxc list --format csv');
      expect(list).toMatchObject({ exitCode: 0, stderr: '' });
      expect(await ok(`nova-${app}/0`, 'id -nG nova')).toMatch(/\blxd\b/);
      const bag = Object.values(model.state.relations).find((r) => r.key === `lxd-${app}:lxd nova-${app}:lxd` || r.key === `nova-${app}:lxd lxd-${app}:lxd`)?.unitBags[`lxd-${app}/0`];
      expect(bag).toMatchObject({ pool: 'lxd', nonce: expect.stringMatching(/\S/) });
    }
  });

  test('another machine adds this unit as a remote with the trust password on stdin and a pinned certificate', async () => {
    const unit = 'lxd-lvm/0';
    const secret = Object.values(model.state.secrets).find((s) => s.owner.name === unit && s.label === 'lxd-trust-password');
    const password = secret?.revisions[secret.revisions.length - 1]?.content.password ?? model.state.units[unit]?.state['trust-password'] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(32);
    const listen = (await ok(unit, 'lxc config get core.https_address')).trim();
    expect(listen).toBe(`${machineOf(unit).address}:8443`);
    const cert = String(((await query(unit, '/1.0')).environment as { certificate?: string }).certificate ?? '');
    expect(cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const pin = (conf: string, remote: string, pem: string): Promise<string> =>
      ok('client/0', `rm -rf ${conf} && mkdir -p ${conf}/servercerts && cat > ${conf}/servercerts/${remote}.crt`, pem);
    const add = (conf: string, remote: string, secretText: string): Promise<Shell> =>
      sh('client/0', `LXD_CONF=${conf} lxc remote add ${remote} https://${listen} --auth-type=tls`, `${secretText}\n`);

    // a wrong password is refused
    await pin(`${CLIENT_CONF}-bad`, 'hce2e-host', cert);
    expect(await add(`${CLIENT_CONF}-bad`, 'hce2e-host', 'not-the-password')).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/Error: not authorized/) });
    // a certificate other than the server's is not accepted: no trust on first use
    const otherCert = String(((await query('lxd-dir/0', '/1.0')).environment as { certificate?: string }).certificate ?? '');
    await pin(`${CLIENT_CONF}-mitm`, 'hce2e-host', otherCert);
    // (lxc then shows the real fingerprint and asks; the password on stdin is no "y": refused)
    expect(await add(`${CLIENT_CONF}-mitm`, 'hce2e-host', password)).toMatchObject({ exitCode: 1, stdout: expect.stringMatching(/Certificate fingerprint: [0-9a-f]{64}/) });
    expect((await sh('client/0', `LXD_CONF=${CLIENT_CONF}-mitm lxc remote list --format csv`)).stdout).not.toMatch(/hce2e-host/);

    await pin(CLIENT_CONF, 'hce2e-host', cert);
    const added = await add(CLIENT_CONF, 'hce2e-host', password);
    expect(added).toMatchObject({ exitCode: 0 });
    expect(JSON.parse(await ok('client/0', `LXD_CONF=${CLIENT_CONF} lxc query hce2e-host:/1.0`))).toMatchObject({ auth: 'trusted' });
    expect(await ok('client/0', `LXD_CONF=${CLIENT_CONF} lxc storage list hce2e-host: --format csv`)).toMatch(/^lxd,lvm,/m);
    expect(model.debugLog()).not.toContain(password);
  });

  test('the bridge is changed in place: new IPv4 CIDR and MTU on the same network', async () => {
    const unit = 'lxd-lvm/0';
    const ifindex = (await ok(unit, 'cat /sys/class/net/lxdbr0/ifindex')).trim();
    expect(await query(unit, '/1.0/networks/lxdbr0')).toMatchObject({ managed: true, config: expect.objectContaining({ 'ipv4.address': '10.231.1.1/24' }) });
    expect(model.config('lxd-lvm', { 'bridge-ipv4': '10.231.4.1/24', 'bridge-mtu': 1400 })).toBe(true);
    await settleClean();
    expect(workload(unit)?.message).toMatch(/bridge lxdbr0 10\.231\.4\.1\/24/);
    expect(await query(unit, '/1.0/networks/lxdbr0')).toMatchObject({ config: expect.objectContaining({ 'ipv4.address': '10.231.4.1/24', 'bridge.mtu': '1400' }) });
    expect((await ok(unit, 'cat /sys/class/net/lxdbr0/ifindex')).trim()).toBe(ifindex);
    expect(await ok(unit, 'ip -4 -o addr show dev lxdbr0')).toMatch(/inet 10\.231\.4\.1\/24/);
    expect((await ok(unit, 'lxc network list --format csv')).split('\n').filter((l) => l.startsWith('lxdbr0,'))).toHaveLength(1);
  });

  test('lvm: a device added later extends the volume group, and the status shows the size LXD reports', async () => {
    const all = devicesOf('nova-lvm/0');
    expect(all).toHaveLength(3);
    const space = async (): Promise<number> => Number(((await query('lxd-lvm/0', '/1.0/storage-pools/lxd/resources')) as { space: { total: number } }).space.total);
    const before = await space();
    expect(model.config('lxd-lvm', { 'block-devices': all.join(' ') })).toBe(true);
    await settleClean();
    const after = await space();
    expect(after).toBeGreaterThan(before);
    const shown = (after / 1024 ** 3).toFixed(1);
    expect(workload('lxd-lvm/0')?.message).toMatch(new RegExp(`^Unit is ready \\(lvm pool lxd ${shown.replace('.', '\\.')} GiB on 3 devices,`));
    expect((await ok('lxd-lvm/0', `vgs --noheadings --separator , -o vg_name,pv_count ${VG}`)).trim()).toBe(`${VG},3`);
    expect(await query('lxd-lvm/0', '/1.0/storage-pools/lxd')).toMatchObject({ driver: 'lvm', status: 'Created', config: expect.objectContaining({ source: VG }) });
  });

  test('refused changes leave the host as it was: a missing device, a pool type change, invalid values', async () => {
    const hostOf = async (unit: string): Promise<string[]> =>
      Promise.all([
        ...['/1.0/storage-pools', '/1.0/storage-pools/lxd', '/1.0/networks/lxdbr0', '/1.0/profiles/default'].map((u) => ok(unit, `lxc query ${u}`)),
        ok(unit, 'pvs --noheadings -o pv_name,vg_name 2>/dev/null; true'),
      ]);
    const lvmDevicesNow = String(model.state.applications['lxd-lvm']?.config['block-devices'] ?? '');
    const refusals: Array<[string, Record<string, string | number | boolean>, RegExp]> = [
      ['lxd-lvm', { 'block-devices': `${lvmDevicesNow} /dev/hce2e-missing` }, /\/dev\/hce2e-missing/],
      ['lxd-dir', { 'storage-type': 'btrfs' }, /^storage-type is btrfs but storage pool lxd exists as dir/],
      // what LXD cannot change on an existing pool: blocked naming the option, the host untouched
      ['lxd-lvm', { 'lvm-volume-group': 'hce2e_other' }, /^lvm-volume-group is hce2e_other but storage pool lxd is on volume group /],
      ['lxd-lvm', { 'lvm-thinpool': true }, /^lvm-thinpool is true but storage pool lxd has no thin pool/],
      ['lxd-lvm', { 'block-devices': lvmDevicesNow.split(' ').slice(1).join(' ') }, /^block-devices no longer names /],
      ['lxd-dir', { 'storage-pool': 'hce2e-other' }, /^storage-pool is hce2e-other but the charm's pool lxd still exists/],
      ['lxd-btrfs', { 'block-devices': '' }, /^block-devices changed but the btrfs pool lxd exists on /],
      ['lxd-dir', { 'block-devices': '/dev/hce2e-missing' }, /^invalid config: block-devices /],
      ['lxd-dir', { 'bridge-mtu': 10, 'bridge-ipv4': 'bogus' }, /^invalid config: .*(bridge-ipv4.*bridge-mtu|bridge-mtu.*bridge-ipv4)/],
    ];
    for (const [app, changes, reason] of refusals) {
      const unit = `${app}/0`;
      const before = await hostOf(unit);
      const previous = Object.fromEntries(Object.keys(changes).map((k) => [k, model.state.applications[app]?.config[k] ?? null]));
      expect(model.config(app, changes)).toBe(true);
      try {
        await settleClean();
        expect(workload(unit)).toMatchObject({ status: 'blocked', message: expect.stringMatching(reason) });
        expect(await hostOf(unit)).toEqual(before);
      } finally {
        model.config(app, previous);
        await settleClean();
      }
      expect(workload(unit)?.status).toBe('active');
    }
  });

  test('config-changed, update-status and upgrade-charm run again change nothing: no LXD event, same ETags and bodies, same relation data, no nova restart', async () => {
    const units = ['lxd-lvm/0', 'lxd-btrfs/0', 'lxd-dir/0'];
    const hooks = ['config-changed', 'update-status', 'upgrade-charm'];
    const urls = ['/1.0', '/1.0/storage-pools/lxd', '/1.0/networks/lxdbr0', '/1.0/profiles/default'];
    const snapshot = async (): Promise<Record<string, string>> => {
      const seen: Record<string, string> = {};
      for (const unit of units) {
        for (const url of urls) {
          const r = await ok(unit, `curl -sS -i --unix-socket /var/lib/lxd/unix.socket http://lxd${url}`);
          const etag = /^etag: (.*)$/im.exec(r)?.[1]?.trim() ?? '';
          // LXD 5.0.2 sends an ETag for the server, networks and profiles, not for a pool's GET
          if (url !== '/1.0/storage-pools/lxd') expect({ url, etag }).toEqual({ url, etag: expect.stringMatching(/^"?[0-9a-f]{64}"?$/) });
          // the body, without the Date header; the ETag kept
          seen[`${unit} ${url}`] = `${etag}\n${r.slice(r.indexOf('\r\n\r\n') + 4)}`;
        }
      }
      return seen;
    };
    const relationData = (): string => JSON.stringify(Object.values(model.state.relations).map((r) => [r.key, r.unitBags, r.appBags]));
    const unitState = (): Record<string, { state: Bag; since: string | undefined; restarts: string | undefined }> =>
      Object.fromEntries(units.map((u) => [u, { state: { ...model.state.units[u]?.state }, since: workload(u)?.since, restarts: model.state.units[u.replace('lxd-', 'nova-')]?.state.restarts }]));
    const runCounts = (): number[][] => units.map((u) => hooks.map((h) => hookRuns(u, h)));

    const before = await snapshot();
    const bagsBefore = relationData();
    const stateBefore = unitState();
    const runsBefore = runCounts();
    // LXD's lifecycle event stream on each machine while the hooks run: any write LXD acts on shows up
    const monitors = units.map((u) => sh(u, 'timeout 15 lxc monitor --type=lifecycle --format=json; true'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const app of ['lxd-lvm', 'lxd-btrfs', 'lxd-dir']) expect(model.config(app, { 'lxd-channel': '5.21/candidate' })).toBe(true);
    await settleClean();
    model.updateStatus();
    await settleClean();
    for (const app of ['lxd-lvm', 'lxd-btrfs', 'lxd-dir']) model.upgrade(app, ensurePackedCharm());
    await settleClean();
    // a known write after the hooks: the monitor was listening (its events are the only ones expected)
    for (const unit of units) await ok(unit, 'lxc profile create hce2e-probe && lxc profile delete hce2e-probe');
    const events = (await Promise.all(monitors)).map((m) => [...m.stdout.matchAll(/"action":\s*"([^"]+)"/g)].map((e) => e[1]));

    // each hook really ran again on each unit (upgrade-charm is followed by config-changed)
    expect(runCounts()).toEqual(runsBefore.map(([config, update, upgrade]) => [(config ?? 0) + 2, (update ?? 0) + 1, (upgrade ?? 0) + 1]));
    expect(events).toEqual(units.map(() => ['profile-created', 'profile-deleted']));
    expect(await snapshot()).toEqual(before);
    expect(relationData()).toBe(bagsBefore);
    // no state written, no status set (not even maintenance), nova not restarted: the hooks only read
    expect(unitState()).toEqual(stateBefore);
    for (const unit of units) expect(workload(unit)?.status).toBe('active');
    // across the whole file nova restarted once per host: for the first nonce, never for a bridge, device or refused change
    expect(units.map((u) => model.state.units[u.replace('lxd-', 'nova-')]?.state.restarts)).toEqual(['1', '1', '1']);
  });
});
