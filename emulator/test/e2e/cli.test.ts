// The command line end to end on local machines: each command a separate process, as a user runs it.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'emulator', 'dist', 'cli.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'emu-cli-'));

function emu(...args: string[]): { code: number; stdout: string; stderr: string } {
  const res = spawnSync('node', [cli, '-m', 'clitest', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JUJU_EMULATOR_HOME: home },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', path.join(root, 'emulator', 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
});

afterAll(() => {
  if (existsSync(path.join(home, 'clitest', 'state.json'))) emu('destroy');
  rmSync(home, { recursive: true, force: true });
});

test('a model from the command line: deploy, status, config, run, exec, failures, resolve, destroy', () => {
  expect(emu('status')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ERROR no model at .*clitest/) });
  expect(emu('add-model', '--backend', 'local')).toMatchObject({ code: 0 });
  expect(emu('add-model', '--backend', 'local')).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });

  const deploy = emu('deploy', 'builtin:test-charm', 'tc', '-n', '2', '--config', 'greeting=hi');
  expect(deploy).toMatchObject({ code: 0, stdout: 'deployed "tc"\n' });

  const table = emu('status').stdout;
  expect(table).toMatch(/^App\s+Version\s+Status\s+Charm\s+Rev\s+Units\s+Message$/m);
  expect(table).toMatch(/^tc\/0\*\s+active\s+idle\s+0\s+127\.0\.0\.1\s+ready$/m);
  expect(table).toMatch(/^tc\/1\s+active\s+idle\s+1\s+127\.0\.0\.1\s+ready$/m);
  const json = JSON.parse(emu('status', '--format', 'json').stdout) as { applications: Record<string, { units: Record<string, { workload: { status: string } }> }> };
  expect(json.applications.tc?.units['tc/1']?.workload.status).toBe('active');
  expect(emu('status', '--format', 'xml')).toMatchObject({ code: 2, stderr: 'ERROR unknown format "xml" (tabular or json)\n' });

  expect(emu('config', 'tc', 'greeting=hi')).toMatchObject({ code: 0, stdout: 'no value changed: config-changed not queued\n' });
  expect(emu('config', 'tc', 'bogus=1')).toMatchObject({ code: 1, stderr: 'ERROR unknown option "bogus"\n' });
  expect(emu('config', 'tc', 'count=many')).toMatchObject({ code: 1, stderr: 'ERROR option "count" expected int, got "many"\n' });
  expect(JSON.parse(emu('config', 'tc').stdout)).toMatchObject({ greeting: 'hi', count: 1 });

  const record = emu('run', 'tc/0', 'record', '--string-args', 'suffix=!');
  expect(record.code).toBe(0);
  expect(JSON.parse(record.stdout)).toMatchObject({ status: 'completed', results: { unit: 'tc/0', greeting: 'hi!' }, log: ['recording'] });
  // juju run's parsing (cmd/juju/action/run.go): YAML values, refused by the schema before the charm runs
  expect(emu('run', 'tc/0', 'record', 'suffix=1000')).toMatchObject({ code: 1, stderr: 'ERROR validation failed: (root).suffix : must be of type string, given 1000\n' });
  expect(JSON.parse(emu('run', 'tc/0', 'record', '--string-args', 'suffix=1000').stdout)).toMatchObject({ status: 'completed', results: { greeting: 'hi1000' } });
  const paramsFile = path.join(home, 'record.yaml');
  writeFileSync(paramsFile, 'suffix: " from the file"\n');
  expect(JSON.parse(emu('run', 'tc/leader', 'record', '--params', paramsFile).stdout)).toMatchObject({ unit: 'tc/0', results: { greeting: 'hi from the file' } });
  expect(JSON.parse(emu('run', 'tc/0', 'record', '--params', paramsFile, 'suffix=2nd').stdout)).toMatchObject({ results: { greeting: 'hi2nd' } });
  // as YAML a lone "!" is an empty scalar with the non-specific tag: yaml.v2 reads it as ""
  expect(JSON.parse(emu('run', 'tc/0', 'record', 'suffix=!').stdout)).toMatchObject({ results: { greeting: 'hi' } });
  expect(emu('run', 'tc/0', 'record', 'Suffix=x')).toMatchObject({ code: 1, stderr: expect.stringContaining('key "Suffix" must start and end with lowercase alphanumeric') });
  expect(emu('run', 'tc/0', 'record', 'colour=red')).toMatchObject({ code: 1, stderr: expect.stringContaining('additional property "colour" is not allowed') });
  const failed = emu('run', 'tc/1', 'fail');
  expect(failed.code).toBe(1);
  expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', message: 'asked to fail' });

  expect(emu('exec', 'tc/1', '--', 'sh', '-c', 'echo "$0 $HOME"', 'hi')).toMatchObject({ code: 0, stdout: 'hi /root\n' });
  expect(emu('debug-log', 'tc/0').stdout).toMatch(/INFO juju\.worker\.uniter ran "install" hook \(via hook dispatching script: dispatch\)/);
  expect(emu('relate', 'tc')).toMatchObject({ code: 2, stderr: 'ERROR usage: juju-emulator relate <a> <b>\n' });
  expect(emu('frobnicate')).toMatchObject({ code: 2 });

  expect(emu('config', 'tc', 'fail-hook=update-status')).toMatchObject({ code: 0 });
  const update = emu('update-status');
  expect(update.code).toBe(1);
  expect(update.stderr).toMatch(/FAILED tc\/0: update-status/);
  expect(emu('status').stdout).toMatch(/^tc\/0\*\s+error\s+error\s+0\s+127\.0\.0\.1\s+hook failed: "update-status"$/m);
  expect(emu('resolve', 'tc/0', '--no-retry')).toMatchObject({ code: 0 });
  expect(emu('resolve', 'tc/0')).toMatchObject({ code: 1, stderr: 'ERROR unit "tc/0" is not in an error state\n' });

  // a unit in error runs no hooks, removal hooks included, until it is resolved
  expect(emu('remove-unit', 'tc/1')).toMatchObject({ code: 0 });
  expect(emu('status').stdout).toMatch(/^tc\/1\s+error/m);
  expect(emu('resolve', 'tc/1', '--no-retry')).toMatchObject({ code: 0 });
  expect(emu('status').stdout).not.toMatch(/tc\/1/);
  expect(emu('destroy')).toMatchObject({ code: 0 });
  expect(existsSync(path.join(home, 'clitest'))).toBe(false);
});

test('storage and resource commands check the charm: undeclared storage or resource, bad directives, unknown ids', () => {
  expect(emu('add-model', '--backend', 'local')).toMatchObject({ code: 0 });
  expect(emu('deploy', 'builtin:test-charm', 'tc', '--storage', 'local=loop,1G')).toMatchObject({ code: 1, stderr: 'ERROR charm storage "local" not found\n' });
  expect(emu('deploy', 'builtin:test-charm', 'tc', '--storage', 'local=ebs,1G')).toMatchObject({ code: 1, stderr: expect.stringContaining('storage pool "ebs" not found') });
  const file = path.join(home, 'res.bin');
  writeFileSync(file, 'x');
  expect(emu('deploy', 'builtin:test-charm', 'tc', '--resource', `lxd-snap=${file}`)).toMatchObject({ code: 1, stderr: 'ERROR invalid resource name "lxd-snap": charm "test-charm" declares no such resource\n' });
  expect(emu('deploy', 'builtin:test-charm', 'tc')).toMatchObject({ code: 0 });
  expect(emu('attach-resource', 'tc', 'nofile')).toMatchObject({ code: 2 });
  expect(emu('detach-storage', 'local/0')).toMatchObject({ code: 1, stderr: 'ERROR storage "local/0" not found\n' });
  expect(emu('storage').stdout).toMatch(/^Unit\s+Storage-ID\s+Type\s+State\s+Location\n$/);
  expect(emu('destroy')).toMatchObject({ code: 0 });
});
