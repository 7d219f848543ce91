// ExecKernelHost over a temporary directory and a scripted `sysctl`: files replaced whole, values
// parsed, a refused key reported (not thrown).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecKernelHost, parseSysctlOutput, type CommandRunner } from '../../src/host/sysctl';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kernel-host-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const calls: string[][] = [];
const scripted =
  (answers: Record<string, { exitCode: number; stdout?: string; stderr?: string }>): CommandRunner =>
  async (command, args) => {
    calls.push([command, ...args]);
    const answer = answers[args.join(' ')] ?? { exitCode: 0 };
    return { exitCode: answer.exitCode, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  };

test('a managed file is written beside its target then renamed over it: mode 0644, no temporary left', async () => {
  const host = new ExecKernelHost(scripted({}), (p) => join(dir, p));
  await host.writeManagedFile('/etc/sysctl.d/60-lxd.conf', 'a = 1\n');
  await host.writeManagedFile('/etc/sysctl.d/60-lxd.conf', 'a = 2\n');
  expect(readFileSync(join(dir, 'etc/sysctl.d/60-lxd.conf'), 'utf8')).toBe('a = 2\n');
  expect(statSync(join(dir, 'etc/sysctl.d/60-lxd.conf')).mode & 0o777).toBe(0o644);
  expect(readdirSync(join(dir, 'etc/sysctl.d'))).toEqual(['60-lxd.conf']);
  expect(await host.readManagedFile('/etc/sysctl.d/60-lxd.conf')).toBe('a = 2\n');
  await host.removeManagedFile('/etc/sysctl.d/60-lxd.conf');
  expect(await host.readManagedFile('/etc/sysctl.d/60-lxd.conf')).toBeNull();
  await host.removeManagedFile('/etc/sysctl.d/60-lxd.conf'); // absent: no-op
});

test('sysctl values are read with -e (missing keys left out); a refused write is a result naming why', async () => {
  const host = new ExecKernelHost(
    scripted({
      '-e vm.max_map_count net.ipv4.ip_local_port_range no.such': { exitCode: 0, stdout: 'vm.max_map_count = 65530\nnet.ipv4.ip_local_port_range = 32768\t60999\n' },
      '-w kernel.keys.maxkeys=2000': { exitCode: 255, stderr: 'sysctl: setting key "kernel.keys.maxkeys": Read-only file system\n' },
    }),
  );
  expect(await host.sysctlValues(['vm.max_map_count', 'net.ipv4.ip_local_port_range', 'no.such'])).toEqual(
    new Map([['vm.max_map_count', '65530'], ['net.ipv4.ip_local_port_range', '32768 60999']]),
  );
  expect(await host.setSysctl('kernel.keys.maxkeys', '2000')).toEqual({ ok: false, reason: 'sysctl: setting key "kernel.keys.maxkeys": Read-only file system' });
  expect(await host.setSysctl('vm.max_map_count', '262144')).toEqual({ ok: true });
  expect(calls.at(-1)).toEqual(['sysctl', '-w', 'vm.max_map_count=262144']);
});

test('file modes: read and set; a missing path reads as null', async () => {
  const host = new ExecKernelHost(scripted({}), (p) => join(dir, p));
  mkdirSync(join(dir, 'sys/kernel/slab'), { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'x'), '');
  expect(await host.fileMode('/sys/kernel/slab')).toBe(0o755);
  await host.setFileMode('/sys/kernel/slab', 0o700);
  expect(await host.fileMode('/sys/kernel/slab')).toBe(0o700);
  expect(await host.fileMode('/proc/sched_debug')).toBeNull();
});

test('parseSysctlOutput ignores lines that are not key = value', () => {
  expect(parseSysctlOutput('sysctl: cannot stat /proc/sys/x\nfs.aio-max-nr = 65536\n')).toEqual(new Map([['fs.aio-max-nr', '65536']]));
});
