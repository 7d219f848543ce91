// The machines' systemctl shim run for real by /bin/sh, against a stand-in `lxd` (a shell script that
// serves until SIGTERM and answers shutdown/waitready): verbs, exit codes as systemctl's, a detached
// daemon whose pid lands in the pid file. No namespaces and no LXD needed; the real daemon inside a
// machine is exercised by test/e2e/pause-resume.test.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemctlScript } from '../../src/machines/service-shim';
import { isRunning, terminate } from '../../src/machines/processes';

const STAND_IN = `#!/bin/sh
dir=$(dirname "$0")
case "$1" in
  --group) env > "$dir/daemon-env"; trap 'rm -f "$dir/ready"; exit 0' TERM; touch "$dir/ready"; while :; do sleep 0.1; done ;;
  shutdown) echo shutdown >> "$dir/calls"; kill -TERM "$(cat "$dir/pid")"; while [ -e "$dir/ready" ]; do sleep 0.1; done ;;
  waitready) i=0; while [ ! -e "$dir/ready" ]; do i=$((i+1)); [ $i -gt 50 ] && exit 1; sleep 0.1; done ;;
esac
`;

let dir = '';
const started: number[] = [];
const systemctl = (...args: string[]) => {
  const r = spawnSync(path.join(dir, 'systemctl'), args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', JUJU_UNIT_NAME: 'lxd/0' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const pidOf = (): number => Number(readFileSync(path.join(dir, 'pid'), 'utf8').trim());

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'shim-test-'));
  writeFileSync(path.join(dir, 'lxd'), STAND_IN);
  chmodSync(path.join(dir, 'lxd'), 0o755);
  mkdirSync(path.join(dir, 'units'));
  const script = systemctlScript({
    pidFile: path.join(dir, 'pid'),
    lxdBinary: path.join(dir, 'lxd'),
    outputLog: path.join(dir, 'out.log'),
    daemonEnv: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    stopTimeoutS: 3,
    unitDir: path.join(dir, 'units'),
    ownUnitDir: path.join(dir, 'units'),
    stateDir: path.join(dir, 'state'),
  });
  writeFileSync(path.join(dir, 'systemctl'), script);
  chmodSync(path.join(dir, 'systemctl'), 0o755);
});

afterEach(async () => {
  await terminate(started, 1000);
  started.length = 0;
  rmSync(dir, { recursive: true, force: true });
});

test('start runs the daemon detached with the pid in the pid file; is-active and status follow it', async () => {
  expect(systemctl('is-active', 'lxd.service', 'lxd.socket')).toEqual({ code: 3, stdout: 'inactive\ninactive\n', stderr: '' });
  expect(systemctl('start', 'lxd.socket', 'lxd.service', 'lxd-containers.service').code).toBe(0);
  const pid = pidOf();
  started.push(pid);
  expect(await isRunning(pid)).toBe(true);
  // its own session: a hook's process-group kill does not reach it
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  expect(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]).toBe(String(pid));
  // the daemon has the emulator's environment, not the hook's
  expect(readFileSync(path.join(dir, 'daemon-env'), 'utf8')).not.toContain('JUJU_UNIT_NAME');
  expect(systemctl('-q', 'is-active', 'lxd')).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(systemctl('status', 'lxd.service').stdout).toContain(`Main PID: ${pid}`);
  // starting again changes nothing
  expect(systemctl('start', 'lxd.service').code).toBe(0);
  expect(pidOf()).toBe(pid);
});

test("stopping lxd-containers.service runs lxd shutdown (instances stop); the pid file goes", async () => {
  expect(systemctl('start', 'lxd').code).toBe(0);
  const pid = pidOf();
  started.push(pid);
  expect(systemctl('stop', 'lxd-containers.service', 'lxd.socket', 'lxd.service')).toMatchObject({ code: 0 });
  expect(readFileSync(path.join(dir, 'calls'), 'utf8')).toBe('shutdown\n');
  expect(await isRunning(pid)).toBe(false);
  expect(existsSync(path.join(dir, 'pid'))).toBe(false);
  expect(systemctl('is-active', 'lxd.service').code).toBe(3);
  // stopping a stopped service succeeds, as systemctl's does
  expect(systemctl('stop', 'lxd.service').code).toBe(0);
});

test('stopping lxd.service alone is a SIGTERM to the daemon (KillMode=process), no shutdown', async () => {
  expect(systemctl('start', 'lxd.service').code).toBe(0);
  const pid = pidOf();
  started.push(pid);
  expect(systemctl('stop', 'lxd.service').code).toBe(0);
  expect(existsSync(path.join(dir, 'calls'))).toBe(false);
  expect(await isRunning(pid)).toBe(false);
});

test('unknown units, verbs and options fail as systemctl does, and touch nothing', () => {
  expect(systemctl('start', 'nova-compute')).toEqual({ code: 5, stdout: '', stderr: 'Failed to start nova-compute.service: Unit nova-compute.service not found.\n' });
  expect(systemctl('stop', 'lxd.service', 'ssh.socket')).toMatchObject({ code: 5, stderr: expect.stringContaining('Unit ssh.socket not found') });
  expect(systemctl('mask', 'lxd')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Unknown command verb 'mask'/) });
  expect(systemctl('enable', 'lxd')).toMatchObject({ code: 0 });
  expect(systemctl('--user', 'start', 'lxd')).toMatchObject({ code: 1, stderr: expect.stringContaining("unrecognized option '--user'") });
  expect(systemctl()).toMatchObject({ code: 1, stderr: expect.stringContaining('needs a verb') });
  expect(systemctl('start')).toMatchObject({ code: 1, stderr: 'Too few arguments.\n' });
  expect(systemctl('is-active', 'ssh')).toEqual({ code: 3, stdout: 'inactive\n', stderr: '' });
  expect(existsSync(path.join(dir, 'pid'))).toBe(false);
});

describe("units the machine's software installed", () => {
  const unit = (name: string, text: string) => writeFileSync(path.join(dir, 'units', name), text);

  test('a oneshot unit: enable links it from its WantedBy target, start runs its commands in order, RemainAfterExit keeps it active', () => {
    const out = path.join(dir, 'ran');
    unit('attach.service', `[Unit]\nBefore=lxd.service\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStartPre=/bin/sh -c 'echo pre >> ${out}'\nExecStart=/bin/sh -c 'echo start >> ${out}'\nExecStart=-/bin/false\nExecStop=/bin/sh -c 'echo stop >> ${out}'\n[Install]\nWantedBy=local-fs.target\n`);
    expect(systemctl('is-enabled', 'attach.service')).toEqual({ code: 1, stdout: 'disabled\n', stderr: '' });
    expect(systemctl('daemon-reload').code).toBe(0);
    expect(systemctl('enable', 'attach.service').code).toBe(0);
    expect(readlinkSync(path.join(dir, 'units', 'local-fs.target.wants', 'attach.service'))).toBe(path.join(dir, 'units', 'attach.service'));
    expect(systemctl('is-enabled', 'attach')).toEqual({ code: 0, stdout: 'enabled\n', stderr: '' });
    expect(systemctl('is-active', 'attach.service').code).toBe(3);
    expect(systemctl('start', 'attach.service').code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('pre\nstart\n');
    expect(systemctl('is-active', 'attach.service')).toEqual({ code: 0, stdout: 'active\n', stderr: '' });
    expect(systemctl('stop', 'attach.service').code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('pre\nstart\nstop\n');
    expect(systemctl('disable', 'attach.service').code).toBe(0);
    expect(systemctl('is-enabled', 'attach.service').stdout).toBe('disabled\n');
  });

  test('a failing ExecStart fails the start as systemctl does, and the unit stays inactive', () => {
    unit('bad.service', '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/false\n');
    expect(systemctl('start', 'bad.service')).toMatchObject({ code: 1, stderr: expect.stringContaining('Job for bad.service failed') });
    expect(systemctl('is-active', 'bad.service').code).toBe(3);
  });

  test('a long-running unit runs detached by pid; enable --now starts it, stop ends it', async () => {
    unit('sleeper.service', '[Service]\nExecStart=/bin/sleep 300\n[Install]\nWantedBy=multi-user.target\n');
    expect(systemctl('enable', '--now', 'sleeper.service').code).toBe(0);
    const pid = Number(readFileSync(path.join(dir, 'state', 'sleeper.service.pid'), 'utf8').trim());
    started.push(pid);
    expect(await isRunning(pid)).toBe(true);
    expect(systemctl('status', 'sleeper.service').stdout).toContain(`Main PID: ${pid}`);
    expect(systemctl('stop', 'sleeper.service').code).toBe(0);
    expect(await isRunning(pid)).toBe(false);
    expect(systemctl('is-active', 'sleeper.service').code).toBe(3);
  });
});
