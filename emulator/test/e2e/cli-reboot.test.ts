// `juju-emulator reboot` from the command line, on a local machine: the report, then start runs.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'emulator', 'dist', 'cli.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'emu-cli-reboot-'));

function emu(...args: string[]): { code: number; stdout: string; stderr: string } {
  const res = spawnSync('node', [cli, '-m', 'clireboot', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JUJU_EMULATOR_HOME: home }, encoding: 'utf8', timeout: 120_000 });
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', path.join(root, 'emulator', 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
});

afterAll(() => {
  if (existsSync(path.join(home, 'clireboot', 'state.json'))) emu('destroy');
  rmSync(home, { recursive: true, force: true });
});

test('reboot <unit> reports the boot and runs start on the machine\'s units', () => {
  expect(emu('add-model', '--backend', 'local')).toMatchObject({ code: 0 });
  expect(emu('deploy', 'builtin:test-charm', 'tc', '-n', '2')).toMatchObject({ code: 0 });
  const log = path.join(home, 'clireboot', 'machines', '1', 'fs', 'var-lib-juju', 'agents', 'unit-tc-1', 'invocations.log');
  const starts = () => readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('RUN hooks/start ')).length;
  expect(starts()).toBe(1);
  expect(emu('reboot', 'tc/1')).toEqual({ code: 0, stdout: 'rebooted machine 1: units started at boot: none; LXD not started (none on this machine)\n', stderr: '' });
  expect(starts()).toBe(2);
  expect(emu('reboot')).toMatchObject({ code: 2, stderr: 'ERROR usage: juju-emulator reboot <machine|unit>\n' });
  expect(emu('reboot', '9')).toMatchObject({ code: 1, stderr: 'ERROR machine "9" not found\n' });
});
