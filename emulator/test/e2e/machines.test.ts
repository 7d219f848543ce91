// Namespace machines on the real host: needs root, namespaces and Debian's lxd 5.0.2.
// Every test model is named after this process, and afterAll removes everything, also on failure.

import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MachineRecord } from '../../src/model/types';
import type { RunRequest } from '../../src/machines/machine-backend';
import { NamespaceMachines, stopLxd, startLxd } from '../../src/machines/namespace';
import { buildBusyboxImage } from '../../src/machines/busybox-image';
import { tryRun } from '../../src/machines/command';
import { listLoopDevices } from '../../src/machines/loop-devices';
import { bridgeName, netnsPrefix } from '../../src/machines/naming';
import { isAlive, isRunning, namespaceId, pidsInNamespaces } from '../../src/machines/processes';

jest.setTimeout(300_000);

const modelName = `mtest-${process.pid}`;
const crashModel = `mtest-crash-${process.pid}`;
const backend = new NamespaceMachines();
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
let modelDir = '';
let crashDir = '';
let a: MachineRecord;
let b: MachineRecord;

function sh(machine: MachineRecord, script: string, extra: Partial<RunRequest> = {}) {
  return backend.run(machine, { argv: ['/bin/sh', '-c', script], env: ENV, cwd: '/', ...extra });
}

async function ok(machine: MachineRecord, script: string, extra: Partial<RunRequest> = {}): Promise<string> {
  const res = await sh(machine, script, extra);
  if (res.exitCode !== 0) throw new Error(`machine ${machine.id}: \`${script}\` exited ${res.exitCode}: ${res.stderr}`);
  return res.stdout;
}

async function netnsOf(model: string): Promise<string[]> {
  return (await readdir('/run/netns').catch(() => [])).filter((n) => n.startsWith(netnsPrefix(model)));
}

async function loopsUnder(dir: string): Promise<string[]> {
  return [...(await listLoopDevices()).entries()].filter(([, file]) => file.startsWith(dir)).map(([dev]) => dev);
}

async function bridgeExists(model: string): Promise<boolean> {
  return (await tryRun(['ip', 'link', 'show', 'dev', bridgeName(model)])).exitCode === 0;
}

// An interrupted earlier run of this file (its jest process gone) left models named after its pid.
async function sweepInterruptedRuns(): Promise<void> {
  for (const entry of await readdir(os.tmpdir())) {
    const m = /^jemu-mtest-(crash-)?(\d+)$/.exec(entry);
    if (!m || isAlive(Number(m[2]))) continue;
    await backend.cleanupLeftovers(`mtest-${m[1] ?? ''}${m[2]}`, path.join(os.tmpdir(), entry));
    await rm(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

beforeAll(async () => {
  await backend.ensurePrerequisites();
  await sweepInterruptedRuns();
  modelDir = path.join(os.tmpdir(), `jemu-mtest-${process.pid}`);
  crashDir = path.join(os.tmpdir(), `jemu-mtest-crash-${process.pid}`);
  await mkdir(modelDir);
  await mkdir(crashDir);
  const opts = { modelName, modelDir, loopDevices: 2, loopSizeGiB: 1, lxd: true };
  [a, b] = await Promise.all([backend.create({ ...opts, id: '0' }), backend.create({ ...opts, id: '1' })]);
});

afterAll(async () => {
  for (const m of [a, b]) if (m) await backend.destroy(m).catch((e: unknown) => console.error(e));
  await backend.cleanupLeftovers(modelName, modelDir).catch((e: unknown) => console.error(e));
  await backend.cleanupLeftovers(crashModel, crashDir).catch((e: unknown) => console.error(e));
  for (const dir of [modelDir, crashDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

test('machines get distinct addresses and hostnames on the model bridge', async () => {
  expect(a.address).not.toEqual(b.address);
  expect(a.cidr).toEqual(b.cidr);
  expect((await ok(a, 'hostname')).trim()).toBe(a.hostname);
  expect((await ok(b, 'hostname')).trim()).toBe(b.hostname);
  expect(a.hostname).not.toEqual(b.hostname);
  expect(await ok(a, 'ip -4 -o addr show dev eth0')).toContain(`${a.address}/24`);
  expect(a.loopDevices).toHaveLength(2);
  expect(new Set([...a.loopDevices, ...b.loopDevices].map((l) => l.device)).size).toBe(4);
});

test('machine A reaches machine B and its LXD HTTPS listener', async () => {
  await ok(a, `busybox ping -c 1 -W 2 ${b.address}`);
  await ok(b, `busybox ping -c 1 -W 2 ${a.address}`);
  await ok(b, `lxc config set core.https_address ${b.address}:8443`);
  const out = await ok(a, `curl -sk --max-time 5 https://${b.address}:8443/1.0`);
  expect(JSON.parse(out)).toMatchObject({ type: 'sync', metadata: { auth: 'untrusted' } });
});

test('a user added on one machine does not exist on the other or on the host', async () => {
  await ok(a, 'useradd -m -s /bin/sh nova && usermod -aG lxd nova');
  expect(await ok(a, 'getent passwd nova')).toMatch(/^nova:x:\d+:\d+:/);
  expect((await sh(b, 'getent passwd nova')).exitCode).toBe(2);
  expect((await tryRun(['getent', 'passwd', 'nova'])).exitCode).toBe(2);
  expect(existsSync(path.join(a.mounts['/home'] ?? '', 'nova'))).toBe(true);
  const asNova = await backend.run(a, { argv: ['id', '-un'], env: ENV, cwd: '/', user: 'nova' });
  expect(asNova.stdout.trim()).toBe('nova');
  await expect(backend.run(b, { argv: ['id'], env: ENV, cwd: '/', user: 'nova' })).rejects.toThrow(/no user "nova"/);
});

test('each machine’s LVM sees only its own devices: both create a VG named lxdvg', async () => {
  const [loopA] = a.loopDevices;
  const [loopB] = b.loopDevices;
  await ok(a, `vgcreate lxdvg ${loopA?.device}`);
  await ok(b, `vgcreate lxdvg ${loopB?.device}`);
  const pvsA = await ok(a, 'pvs --noheadings -o pv_name,vg_name');
  const pvsB = await ok(b, 'pvs --noheadings -o pv_name,vg_name');
  expect(pvsA.trim().split(/\s+/)).toEqual([loopA?.device, 'lxdvg']);
  expect(pvsB.trim().split(/\s+/)).toEqual([loopB?.device, 'lxdvg']);
  // the second loop device is visible (usable by the charm) but unused
  expect(await ok(a, 'pvs --noheadings -a -o pv_name,vg_name')).toContain(a.loopDevices[1]?.device);
  expect(await ok(a, 'pvs --noheadings -a -o pv_name,vg_name')).not.toContain(loopB?.device);
});

test('run: exact environment, cwd, stdin, streaming, exit codes, signals and timeout', async () => {
  const env = { PATH: ENV.PATH, ONLY: 'this' };
  const printed = await backend.run(a, { argv: ['env'], env, cwd: '/var/lib/lxd' });
  expect(printed.stdout.trim().split('\n').sort()).toEqual([`ONLY=this`, `PATH=${ENV.PATH}`]);
  expect((await backend.run(a, { argv: ['pwd'], env, cwd: '/var/lib/lxd' })).stdout.trim()).toBe('/var/lib/lxd');
  expect((await backend.run(a, { argv: ['cat'], env, cwd: '/', stdin: 'hello' })).stdout).toBe('hello');
  // a command that ignores a large stdin neither hangs nor crashes the caller
  expect((await backend.run(a, { argv: ['true'], env, cwd: '/', stdin: 'x'.repeat(4 << 20) })).exitCode).toBe(0);
  const chunks: string[] = [];
  const streamed = await sh(a, 'echo one; echo two >&2; exit 3', { onStdout: (c) => chunks.push(c), onStderr: (c) => chunks.push(c) });
  expect(streamed).toMatchObject({ exitCode: 3, signal: null, stdout: 'one\n', stderr: 'two\n' });
  expect(chunks.join('')).toContain('one');
  expect(await sh(a, 'kill -TERM $$')).toMatchObject({ exitCode: 143, signal: 'SIGTERM' });
  const started = Date.now();
  expect(await sh(a, 'sleep 30', { timeoutMs: 500 })).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  expect(Date.now() - started).toBeLessThan(10_000);
});

test('stopLxd and startLxd restart the machine’s daemon', async () => {
  const old = b.lxdPid ?? 0;
  await stopLxd(b);
  expect(await isRunning(old)).toBe(false);
  b.lxdPid = await startLxd({ ...b, lxdPid: null });
  expect(b.lxdPid).not.toBe(old);
  expect(await ok(b, 'lxc query /1.0 | grep -c server_version')).toContain('1');
});

test('a busybox container starts on machine A and moves, stopped, to machine B', async () => {
  const tarball = await buildBusyboxImage(path.join(modelDir, 'image'));
  for (const m of [a, b]) {
    await ok(m, 'lxc storage create default dir && lxc profile device add default root disk path=/ pool=default');
  }
  await ok(a, `lxc image import ${tarball} --alias busybox`);
  await ok(a, 'lxc launch busybox c1');
  expect((await ok(a, 'lxc exec c1 -- /bin/hostname')).trim()).toBe('c1');
  await ok(a, 'lxc stop c1 --force');
  // migration pulls from the source, so both daemons listen
  await ok(a, `lxc config set core.https_address ${a.address}:8443`);
  const token = (await ok(b, 'lxc config trust add --name machine-a --quiet')).trim();
  await ok(a, `lxc remote add b ${token}`);
  await ok(a, 'lxc move c1 b:c1');
  expect(await ok(b, 'lxc list --format csv -c n')).toContain('c1');
  expect(await ok(a, 'lxc list --format csv -c n')).not.toContain('c1');
  await ok(b, 'lxc network create jemutest0 ipv4.address=auto ipv4.nat=false ipv6.address=none');
  await ok(b, 'lxc network attach jemutest0 c1 eth0 && lxc start c1');
  expect(await ok(b, 'lxc list --format csv -c ns')).toContain('c1,RUNNING');
});

test('destroy leaves nothing behind: no namespace, loop device, daemon, VG or bridge', async () => {
  const pids = [a.lxdPid, b.lxdPid].filter((p): p is number => p !== null);
  const devices = [...a.loopDevices, ...b.loopDevices].map((l) => l.device);
  const nsIds = await Promise.all(
    [a, b].flatMap((m) => [namespaceId('net', String(m.handles.netnsPath)), namespaceId('mnt', String(m.handles.mntNs))]),
  );
  const inMachines = await pidsInNamespaces(nsIds.filter((id): id is string => id !== null));
  // the daemons, B's dnsmasq for its bridge, the container's monitor and init
  expect(inMachines.length).toBeGreaterThanOrEqual(4);
  await backend.destroy(a);
  await backend.destroy(b);
  await backend.destroy(a); // idempotent
  expect(await netnsOf(modelName)).toEqual([]);
  expect(await loopsUnder(modelDir)).toEqual([]);
  for (const pid of [...pids, ...inMachines]) expect(await isRunning(pid)).toBe(false);
  // the loop devices are detached, so no VG can remain on them
  const attached = await listLoopDevices();
  for (const dev of devices) expect(attached.get(dev) ?? '').not.toContain(modelDir);
  expect(await bridgeExists(modelName)).toBe(false);
  expect(existsSync(path.join(modelDir, 'machines', '0'))).toBe(false);
});

test('a machine that fails half-way through creation leaves nothing behind', async () => {
  const failing = { modelName: crashModel, modelDir: crashDir, id: '5', loopDevices: 99, loopSizeGiB: 1, lxd: true };
  await expect(backend.create(failing)).rejects.toThrow(/loop device count must be 0-16/);
  expect(await netnsOf(crashModel)).toEqual([]);
  expect(await bridgeExists(crashModel)).toBe(false);
  expect(existsSync(path.join(crashDir, 'machines', '5'))).toBe(false);
});

test('creating a machine that already exists is refused and changes nothing', async () => {
  const opts = { modelName: crashModel, modelDir: crashDir, id: '3', loopDevices: 0, loopSizeGiB: 1, lxd: false };
  const m = await backend.create(opts);
  try {
    await expect(backend.create(opts)).rejects.toThrow(/already exists/);
    expect((await ok(m, 'hostname')).trim()).toBe(m.hostname);
    // no loop devices: this machine's LVM sees nothing at all
    expect((await ok(m, 'pvs --noheadings -a -o pv_name,vg_name')).trim()).toBe('');
  } finally {
    await backend.destroy(m);
  }
});

test('cleanupLeftovers removes what a crashed run left; the daemon outlived the crashed process', async () => {
  // a separate Node process creates a machine, makes a VG and a background process, then dies by SIGKILL
  const bundle = path.join(crashDir, 'namespace.cjs');
  await build({ entryPoints: [path.join(__dirname, '../../src/machines/namespace.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent' });
  const script = `
    const { NamespaceMachines } = require(${JSON.stringify(bundle)});
    const be = new NamespaceMachines();
    be.create({ modelName: ${JSON.stringify(crashModel)}, modelDir: ${JSON.stringify(crashDir)}, id: '0', loopDevices: 1, loopSizeGiB: 1, lxd: true })
      .then(async (m) => {
        const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
        await be.run(m, { argv: ['vgcreate', 'lxdvg', m.loopDevices[0].device], env, cwd: '/' });
        await be.run(m, { argv: ['sh', '-c', 'sleep 600 >/dev/null 2>&1 &'], env, cwd: '/' });
        process.stdout.write(JSON.stringify(m), () => process.kill(process.pid, 'SIGKILL'));
      });`;
  const crashed = await tryRun([process.execPath, '-e', script], { timeoutMs: 120_000 });
  expect(crashed.exitCode).toBe(128 + 9);
  const machine = JSON.parse(crashed.stdout) as MachineRecord;
  const pid = machine.lxdPid ?? 0;
  expect(await isRunning(pid)).toBe(true);
  expect(await netnsOf(crashModel)).toHaveLength(1);
  expect(await ok(machine, 'lxc query /1.0')).toContain('server_version');
  expect(await ok(machine, 'vgs --noheadings -o vg_name')).toContain('lxdvg');

  await new NamespaceMachines().cleanupLeftovers(crashModel, crashDir);
  expect(await isRunning(pid)).toBe(false);
  expect(await netnsOf(crashModel)).toEqual([]);
  expect(await loopsUnder(crashDir)).toEqual([]);
  expect(await bridgeExists(crashModel)).toBe(false);
  expect(existsSync(path.join(crashDir, 'machines', '0'))).toBe(false);
  // and the model can be used again
  const again = await backend.create({ modelName: crashModel, modelDir: crashDir, id: '0', loopDevices: 1, loopSizeGiB: 1, lxd: false });
  await backend.destroy(again);
});
