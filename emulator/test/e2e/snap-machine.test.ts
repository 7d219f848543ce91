// Snap-shaped machines for real (namespace machines, a real LXD daemon underneath): no /var/lib/lxd, the
// daemon in /var/snap/lxd/common/lxd, the snap's lxc wrapper with snap-confine's home check and snapd's
// homedirs option, the snap shim's commands and state, and the nova-compute stand-in's configure_lxd
// failing its hook there until nova's home is covered. Needs root, as every namespace test.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, Model } from '../../src/index';
import { HOME_REFUSAL, HOME_REFUSAL_OLD } from '../../src/machines/snap-flavour';

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-snap-'));
let model: Model | null = null;

afterAll(async () => {
  await model?.destroy();
  rmSync(home, { recursive: true, force: true });
});

const sh = async (target: string, script: string, user?: string) => {
  if (!model) throw new Error('no model');
  return model.exec(target, ['sh', '-c', script], user === undefined ? {} : { user });
};
const ok = async (target: string, script: string, user?: string): Promise<string> => {
  const r = await sh(target, script, user);
  if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};

beforeAll(async () => {
  model = await Model.create({ name: 'emu-snap', backend: 'namespace', home });
  await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0, lxdPackaging: 'snap' } });
  await model.deploy('nova-old', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0, lxdPackaging: 'snap', snapdVersion: '2.58' } });
  await model.deploy('ts', builtinCharm('test-subordinate'));
  model.relate('ts', 'nova-compute');
  model.relate('ts', 'nova-old');
  const report = await model.settle();
  expect(report.failed.map((f) => `${f.unit} ${f.label}`)).toEqual([]);
});

test('snap machine: an Ubuntu host whose LXD lives in /var/snap/lxd/common/lxd, with no /var/lib/lxd', async () => {
  expect(model?.state.machines['0']?.lxdPackaging).toBe('snap');
  expect(await ok('0', '. /etc/os-release && echo "$ID $VERSION_ID"')).toBe('ubuntu 24.04\n');
  expect((await sh('0', 'test -e /var/lib/lxd || test -L /var/lib/lxd')).exitCode).toBe(1);
  await ok('0', 'test -S /var/snap/lxd/common/lxd/unix.socket');
  // the rest of the host's /var/lib is there (dpkg's database for the charm's package checks)
  await ok('0', 'dpkg-query -W -f="\\${Status}" dpkg | grep -q installed');
  // a charm may make /var/lib/lxd; it stays on this machine
  await ok('0', 'ln -s /var/snap/lxd/common/lxd /var/lib/lxd && test -S /var/lib/lxd/unix.socket && rm /var/lib/lxd');
  expect((await sh('1', 'test -e /var/lib/lxd')).exitCode).toBe(1);
});

test("snap machine: root's lxc keeps its client config in ~/snap/lxd/common/config, never ~/.config/lxc", async () => {
  expect(await ok('0', 'lxc list --format csv')).toBe('');
  await ok('0', 'lxc alias add snap-test-ls list');
  await ok('0', 'test -f /root/snap/lxd/common/config/config.yml');
  expect((await sh('0', 'test -e /root/.config/lxc')).exitCode).toBe(1);
  await ok('0', 'test -L /root/snap/lxd/current');
});

test('snap machine: snap list, info, services and get report the lxd snap', async () => {
  const list = await ok('0', 'snap list lxd');
  expect(list.split('\n')[0]).toMatch(/^Name\s+Version\s+Rev\s+Tracking\s+Publisher\s+Notes/);
  expect(list.split('\n')[1]?.trim().split(/\s+/)[3]).toBe('5.21/stable');
  expect(await ok('0', 'snap info lxd')).toContain('tracking:     5.21/stable');
  expect(await ok('0', 'snap services lxd')).toMatch(/lxd\.daemon\s+enabled\s+active/);
  const unset = await sh('0', 'snap get system homedirs');
  expect(unset).toMatchObject({ exitCode: 1, stderr: 'error: snap "core" has no "homedirs" configuration option\n' });
  expect((await sh('0', 'snap list nope')).stderr).toBe('error: no matching snaps installed\n');
});

test("snap machine: nova's lxc is refused with snap-confine's message until snap set system homedirs covers /var/lib", async () => {
  await ok('0', 'usermod -aG lxd nova');
  const refused = await sh('0', 'lxc list', 'nova');
  expect(refused).toMatchObject({ exitCode: 1, stderr: `${HOME_REFUSAL}\n` });
  // snapd's validation of the option
  expect((await sh('0', 'snap set system homedirs=var/lib')).stderr).toContain('path "var/lib" is not absolute');
  expect((await sh('0', 'snap set system homedirs=/tmp/x')).stderr).toContain('path "/tmp/x/" uses reserved root directory "/tmp/"');
  expect((await sh('0', 'snap set system homedirs=/srv/nowhere')).stderr).toContain('path "/srv/nowhere/" does not exist');
  expect((await sh('0', 'snap set system homedirs=/var/lib', 'nova')).stderr).toBe('error: access denied (try with sudo)\n');
  await ok('0', 'snap set system homedirs=/var/lib');
  expect(await ok('0', 'snap get system homedirs')).toBe('/var/lib\n');
  expect(await ok('0', 'lxc list --format csv', 'nova')).toBe('');
  await ok('0', 'test -d /var/lib/nova/snap/lxd/common');
  await ok('0', 'snap unset system homedirs');
  expect((await sh('0', 'lxc list', 'nova')).exitCode).toBe(1);
});

test('snap machine: snapd older than 2.59 has no homedirs option and the older refusal', async () => {
  await ok('1', 'usermod -aG lxd nova');
  expect(await sh('1', 'lxc list', 'nova')).toMatchObject({ exitCode: 1, stderr: `${HOME_REFUSAL_OLD}\n` });
  const set = await sh('1', 'snap set system homedirs=/var/lib');
  expect(set.exitCode).toBe(1);
  expect(set.stderr).toContain('cannot set "core.homedirs": unsupported system option');
  expect(await ok('1', 'snap version')).toMatch(/^snap\s+2\.58/);
});

test("snap machine: nova-compute's configure_lxd fails its hook on a snap host until nova's home is covered, then restarts once", async () => {
  if (!model) throw new Error('no model');
  await ok('0', 'snap unset system homedirs');
  model.writeUnitBag('ts/0', 'lxd', { nonce: 'nonce-1' });
  const failed = await model.settle();
  expect(failed.failed.map((f) => `${f.unit} ${f.label}`)).toEqual(['nova-compute/0 lxd-relation-changed (ts/0)']);
  expect(model.debugLog('nova-compute/0')).toContain('home directories outside of /home needs configuration');
  // configure_subuid ran before lxc_list
  expect(await ok('0', 'grep "^nova:" /etc/subuid')).toBe('nova:100000:100001\n');
  await ok('0', 'snap set system homedirs=/var/lib');
  model.resolve('nova-compute/0');
  const resolved = await model.settle();
  expect(resolved.failed).toEqual([]);
  expect(model.status().applications['nova-compute']?.units['nova-compute/0']?.workload).toMatchObject({ status: 'active', message: 'nova-compute ready (restarts: 1)' });
}, 120_000);

test('snap machine: snap stop/start lxd drive the daemon; criu.enable is kept; refresh follows the channel', async () => {
  await ok('0', 'snap stop lxd');
  expect(await ok('0', 'snap services lxd')).toMatch(/lxd\.daemon\s+enabled\s+inactive/);
  expect((await sh('0', 'systemctl is-active --quiet snap.lxd.daemon.service')).exitCode).toBe(3);
  expect((await sh('0', 'lxc list')).exitCode).not.toBe(0);
  await ok('0', 'snap start lxd');
  expect(await ok('0', 'lxc list --format csv')).toBe('');
  expect((await sh('0', 'snap get lxd criu.enable')).exitCode).toBe(1);
  await ok('0', 'snap set lxd criu.enable=true');
  expect(await ok('0', 'snap get lxd criu.enable')).toBe('true\n');
  const serverPid = async (): Promise<number> => (JSON.parse(await ok('0', 'lxc query /1.0')) as { environment: { server_pid: number } }).environment.server_pid;
  const before = await serverPid();
  await ok('0', 'systemctl reload snap.lxd.daemon');
  expect(await serverPid()).not.toBe(before);
  expect(await ok('0', 'snap install lxd --channel=5.21/stable')).toContain('already installed');
  await ok('0', 'snap refresh lxd --channel=6/stable');
  expect((await ok('0', 'snap list lxd')).split('\n')[1]?.trim().split(/\s+/)[3]).toBe('6/stable');
  expect(await ok('0', 'lxc list --format csv')).toBe('');
}, 120_000);
