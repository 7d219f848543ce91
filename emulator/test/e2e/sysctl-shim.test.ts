// The machines' sysctl shim run for real by /bin/sh, in a temporary directory: reads fall back to the
// host's /proc/sys (never written), writes land in the machine's file, read-only keys and unknown
// keys fail as procps' sysctl does. No namespaces needed; the charm's use is test/e2e/host-features.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sysctlScript } from '../../src/machines/sysctl-shim';

let dir = '';
const sysctl = (...args: string[]) => {
  const r = spawnSync(path.join(dir, 'sysctl'), args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sysctl-shim-'));
  writeFileSync(path.join(dir, 'sysctl'), sysctlScript({ values: path.join(dir, 'values'), readOnly: path.join(dir, 'readonly') }));
  chmodSync(path.join(dir, 'sysctl'), 0o755);
  writeFileSync(path.join(dir, 'readonly'), 'kernel.keys.maxkeys\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes go to the machine file only; reads prefer it, else the host value; the host kernel is untouched', () => {
  const host = readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim();
  expect(sysctl('-n', 'vm.max_map_count')).toEqual({ code: 0, stdout: `${host}\n`, stderr: '' });
  const wanted = host === '262144' ? '262145' : '262144';
  expect(sysctl('-w', `vm.max_map_count=${wanted}`)).toEqual({ code: 0, stdout: `vm.max_map_count = ${wanted}\n`, stderr: '' });
  expect(sysctl('-e', 'vm.max_map_count', 'no.such.key')).toEqual({ code: 0, stdout: `vm.max_map_count = ${wanted}\n`, stderr: '' });
  expect(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim()).toBe(host);
  expect(readFileSync(path.join(dir, 'values'), 'utf8')).toBe(`vm.max_map_count=${wanted}\n`);
  // a second write replaces the line
  sysctl('-q', '-w', 'vm.max_map_count=100000');
  expect(readFileSync(path.join(dir, 'values'), 'utf8')).toBe('vm.max_map_count=100000\n');
});

test('a read-only key and a key the kernel lacks fail with sysctl words and exit 255; the rest still apply', () => {
  const r = sysctl('-w', 'kernel.keys.maxkeys=2000', 'no.such.key=1', 'fs.aio-max-nr=524288');
  expect(r.code).toBe(255);
  expect(r.stderr).toBe('sysctl: setting key "kernel.keys.maxkeys": Read-only file system\nsysctl: cannot stat /proc/sys/no/such/key: No such file or directory\n');
  expect(readFileSync(path.join(dir, 'values'), 'utf8')).toBe('fs.aio-max-nr=524288\n');
  expect(sysctl('no.such.key')).toMatchObject({ code: 255, stderr: expect.stringContaining('cannot stat /proc/sys/no/such/key') });
});

test('-p loads a file as sysctl --load does, skipping comments', () => {
  writeFileSync(path.join(dir, 'conf'), '# comment\nfs.aio-max-nr = 524288\n\nvm.max_map_count=262144\n');
  expect(sysctl('-q', '-p', path.join(dir, 'conf')).code).toBe(0);
  expect(readFileSync(path.join(dir, 'values'), 'utf8')).toBe('fs.aio-max-nr=524288\nvm.max_map_count=262144\n');
});
