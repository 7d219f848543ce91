// pause / resume of the PACKED charm (build/lxd.charm, made by `npm run pack`) on the emulator: the
// lxd subordinate beside the nova-compute stand-in on a namespace machine with its own real LXD 5.0.2.
// The charm's real `systemctl` calls reach the machine's service shim (no init system here), which
// stops and starts that daemon. Root only.
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, builtinCharm, Model } from 'juju-emulator';
import { describeWith, packedCharmOnEmulator } from './helpers/requirements';

jest.setTimeout(600_000);

const root = path.join(__dirname, '..', '..');
const charm = path.join(root, 'build', 'lxd.charm');

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
const PAUSED = { status: 'maintenance', message: "Paused. Use 'resume' action to resume normal service." };

/** alive and not a zombie (the machines' daemons are reparented to a pid 1 that may not reap) */
const running = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** what a client meets at the socket: "answers", or the refusal (ECONNREFUSED, ENOENT) */
const probeSocket = (socketPath: string): Promise<string> =>
  new Promise((resolve) => {
    const sock = connect(socketPath);
    sock.once('connect', () => {
      sock.destroy();
      resolve('answers');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });

describeWith(packedCharmOnEmulator, 'pause and resume on the packed charm, real LXD', () => {
  let home = '';
  let model: Model;
  const unit = 'lxd/0';
  let pidFile = '';
  let socketPath = '';
  const daemonPids: number[] = [];

  const sh = async (script: string): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
    const r = await model.exec(unit, ['sh', '-c', script], { env: ENV, timeoutMs: 120_000 });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const workload = () => ({ ...model.state.units[unit]?.workloadStatus });
  const daemonPid = (): number => Number(readFileSync(pidFile, 'utf8').trim());
  const containerStatus = async (name: string): Promise<string> => (await sh(`lxc list ${name} --format csv -c s`)).stdout.trim();

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'pr-e2e-'));
    model = await Model.create({ name: `pr-e2e-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd', charm, { config: { 'storage-type': 'dir' } });
    model.relate('lxd', 'nova-compute');
    const report = await model.settle();
    expect(report.failed.map((f) => `${f.unit} ${f.label}\n${model.debugLog(f.unit)}`)).toEqual([]);
    expect(workload().status).toBe('active');
    const machine = model.state.machines[model.state.units[unit]?.machine ?? ''];
    const machineDir = String(machine?.handles.machineDir ?? '');
    pidFile = path.join(machineDir, 'lxd.pid');
    socketPath = path.join(machine?.mounts['/var/lib/lxd'] ?? '', 'unix.socket');
    daemonPids.push(daemonPid());
  });

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('the machine has a systemctl that knows only LXD', async () => {
    expect((await sh('command -v systemctl')).stdout.trim()).toBe('/usr/local/sbin/systemctl');
    expect(await sh('systemctl is-active lxd.service lxd.socket')).toMatchObject({ exitCode: 0, stdout: 'active\nactive\n' });
    expect(await sh('systemctl restart nova-compute')).toMatchObject({ exitCode: 5, stderr: 'Failed to restart nova-compute.service: Unit nova-compute.service not found.\n' });
  });

  test('pause is refused while a busybox container runs, and nothing changes', async () => {
    const tarball = await buildBusyboxImage(path.join(home, 'image'));
    // the host's files are visible in the machine, apart from its private directories
    expect(await sh(`lxc image import ${tarball} --alias busybox && lxc launch busybox pr1 -c boot.host_shutdown_timeout=10`)).toMatchObject({ exitCode: 0 });
    expect(await containerStatus('pr1')).toBe('RUNNING');

    const refused = await model.run(unit, 'pause');
    expect(refused).toMatchObject({
      status: 'failed',
      message: `1 instance is running on ${unit} (pr1): pausing stops LXD, which shuts it down (LXD starts them again on resume). Nothing changed; migrate or stop them first, or run again with force=true`,
    });
    expect(await probeSocket(socketPath)).toBe('answers');
    expect(running(daemonPid())).toBe(true);
    expect(workload().status).toBe('active');
  });

  test('pause force=true stops LXD: the socket refuses, the daemon is gone, and the unit says paused, also after update-status', async () => {
    const pid = daemonPid();
    const paused = await model.run(unit, 'pause', { force: true });
    expect(paused).toMatchObject({ status: 'completed', results: { stopped: 'true', 'stopped-instances': 'pr1', packaging: 'distro' } });
    expect(String(paused.results['paused-since'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(running(pid)).toBe(false);
    expect(['ECONNREFUSED', 'ENOENT']).toContain(await probeSocket(socketPath));
    expect((await sh('lxc query /1.0')).exitCode).not.toBe(0);
    expect(await sh('systemctl is-active lxd.service')).toMatchObject({ exitCode: 3, stdout: 'inactive\n' });
    expect(workload()).toMatchObject(PAUSED);

    model.updateStatus([unit]);
    expect((await model.settle()).failed).toEqual([]);
    expect(workload()).toMatchObject(PAUSED);
    expect(['ECONNREFUSED', 'ENOENT']).toContain(await probeSocket(socketPath));

    const again = await model.run(unit, 'pause');
    expect(again).toMatchObject({ status: 'completed', results: { result: `already paused since ${String(paused.results['paused-since'])}: nothing changed`, stopped: 'true' } });
  });

  test('resume starts LXD, its API answers, the unit is active again and LXD restarted the container', async () => {
    const resumed = await model.run(unit, 'resume');
    expect(resumed).toMatchObject({ status: 'completed', results: { resumed: 'true', status: expect.stringMatching(/^active: /) } });
    const pid = daemonPid();
    daemonPids.push(pid);
    expect(running(pid)).toBe(true);
    expect(await probeSocket(socketPath)).toBe('answers');
    expect(await sh('lxc query /1.0 >/dev/null')).toMatchObject({ exitCode: 0 });
    expect(workload().status).toBe('active');
    expect(await containerStatus('pr1')).toBe('RUNNING');

    model.updateStatus([unit]);
    expect((await model.settle()).failed).toEqual([]);
    expect(workload().status).toBe('active');
    expect(await model.run(unit, 'resume')).toMatchObject({ status: 'completed', results: { result: 'not paused: nothing changed', running: 'true' } });
    expect(await sh('lxc delete --force pr1')).toMatchObject({ exitCode: 0 });
  });

  test('destroying the model ends the daemon the shim started; none is left', async () => {
    await model.destroy();
    for (const pid of daemonPids) expect(running(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });
});
