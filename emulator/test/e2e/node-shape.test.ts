// Machines' Node.js (machineOptions.nodejs, machines/node-shape.ts) for real, on namespace machines
// without LXD: no node at all, an old stand-in, and what `apt-get install nodejs` does with each modelled
// archive; the host and the other machines keep their node. Needs root, as every namespace test.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, Model } from '../../src/index';

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-node-'));
const hostNode = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim();
let model: Model | null = null;

afterAll(async () => {
  await model?.destroy();
  rmSync(home, { recursive: true, force: true });
});

const sh = async (target: string, script: string) => {
  if (!model) throw new Error('no model');
  return model.exec(target, ['sh', '-c', script]);
};
const ok = async (target: string, script: string): Promise<string> => {
  const r = await sh(target, script);
  if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};
const candidate = "apt-cache policy nodejs | sed -n 's/^ *Candidate: //p'";

beforeAll(async () => {
  model = await Model.create({ name: 'emu-node', backend: 'namespace', home });
  const shaped = (name: string, nodejs: { installed: string; archive: string }) =>
    model?.deploy(name, builtinCharm('test-charm'), { units: 1, machineOptions: { lxd: false, loopDevices: 0, nodejs } });
  await shaped('bare', { installed: 'none', archive: 'none' }); // machine 0
  await shaped('jammy', { installed: '12.22.9', archive: '12.22.9' }); // machine 1
  await shaped('fixable', { installed: 'none', archive: 'host' }); // machine 2
  await model.deploy('plain', builtinCharm('test-charm'), { units: 1, machineOptions: { lxd: false, loopDevices: 0 } }); // machine 3
});

test('no node: neither node nor nodejs is found, and the archive has no nodejs to install', async () => {
  expect((await sh('0', 'command -v node || command -v nodejs')).exitCode).not.toBe(0);
  expect(await ok('0', candidate)).toBe('(none)\n');
  expect(await sh('0', 'apt-get install -y nodejs')).toMatchObject({ exitCode: 100, stderr: 'E: Unable to locate package nodejs\n' });
  expect((await sh('0', 'command -v node')).exitCode).not.toBe(0);
});

test('an old node: node and nodejs report v12.22.9 and run nothing; installing the archive\'s keeps it', async () => {
  expect(await ok('1', 'node --version; nodejs --version')).toBe('v12.22.9\nv12.22.9\n');
  expect((await sh('1', 'node -e 0')).exitCode).not.toBe(0);
  expect(await ok('1', candidate)).toBe('12.22.9-1jemu\n');
  await ok('1', 'apt-get update && apt-get install -y -o DPkg::Lock::Timeout=300 nodejs');
  expect(await ok('1', 'node --version')).toBe('v12.22.9\n');
});

test('an archive with the host\'s nodejs: apt-get install nodejs makes the host\'s node appear, as installed', async () => {
  expect((await sh('2', 'command -v node')).exitCode).not.toBe(0);
  expect(await ok('2', "apt-cache policy nodejs | sed -n 's/^ *Installed: //p'")).toBe('(none)\n');
  await ok('2', 'apt-get install -y nodejs');
  expect(await ok('2', 'node -e "console.log(process.version)"')).toBe(`${hostNode}\n`);
  expect(await ok('2', "apt-cache policy nodejs | sed -n 's/^ *Installed: //p'")).toBe(`${hostNode.slice(1)}-1jemu\n`);
});

test('only the shaped machines change: a machine without the option and the host keep their node', async () => {
  expect(await ok('3', 'node --version')).toBe(`${hostNode}\n`);
  expect(execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim()).toBe(hostNode);
});
