// The PACKED charm's dispatch finding Node.js on machines that do not offer it as this host does
// (emulator machineOptions.nodejs, emulator/README.md "A machine's Node.js"): no node and no archive
// nodejs, with the node-runtime resource (a real Node.js tarball made from this host's node); Ubuntu
// 22.04's shape (Node.js 12 installed, 12 in the archive, no snap) blocked with the exact message, then
// unblocked by `juju attach-resource`; and an archive whose nodejs is new enough, installed by the
// install hook. Real processes, real LXD. Root only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, Model } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { unitShell } from './helpers/units';

jest.setTimeout(1_200_000);

const hostNode = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim(); // v20.20.2
const nodeArch = ({ x64: 'x64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;

/** A nodejs.org-shaped tarball (node-v*-linux-<arch>/bin/node), gzip-compressed, of this host's node. */
function nodeTarball(dir: string): string {
  const top = `node-${hostNode}-linux-${nodeArch}`;
  mkdirSync(path.join(dir, top, 'bin'), { recursive: true });
  // tar follows the link (-h): the tarball holds the binary itself
  symlinkSync('/usr/bin/node', path.join(dir, top, 'bin', 'node'));
  const file = path.join(dir, `${top}.tar.gz`);
  execFileSync('tar', ['-chzf', file, '-C', dir, top]);
  return file;
}

describe('dispatch finds Node.js without the Snap Store (packed charm, emulator, real LXD)', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'node-runtime-e2e-'));
  let model: Model;
  let tarball: string;
  const shell = unitShell(() => model);
  const { ok, settle, statusOf } = shell;
  const charmFile = (unit: string, file: string): string => `/var/lib/juju/agents/unit-${unit.replace('/', '-')}/charm/${file}`;
  const count = (text: string, needle: string): number => text.split(needle).length - 1;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the node-runtime e2e tests need root (namespaces, LXD daemons)');
    const charm = ensurePackedCharm();
    tarball = nodeTarball(path.join(home, 'runtime'));
    model = await Model.create({ name: `noderun-${process.pid}`, backend: 'namespace', home });
    const principal = (name: string, nodejs: { installed: string; archive: string }) =>
      model.deploy(name, builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0, nodejs } });
    await principal('nc-bare', { installed: 'none', archive: 'none' });
    await principal('nc-jammy', { installed: '12.22.9', archive: '12.22.9' });
    await principal('nc-archive', { installed: 'none', archive: 'host' });
    const config = { 'storage-type': 'dir' };
    await model.deploy('lxd-res', charm, { config, resources: { 'node-runtime': tarball } });
    await model.deploy('lxd-old', charm, { config });
    await model.deploy('lxd-arch', charm, { config });
    model.relate('lxd-res', 'nc-bare');
    model.relate('lxd-old', 'nc-jammy');
    model.relate('lxd-arch', 'nc-archive');
    await settle();
  });

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test('the machines are shaped as asked: no node, an old one, none with a new enough one in the archive', async () => {
    expect((await shell.sh('nc-bare/0', 'command -v node nodejs')).exitCode).not.toBe(0);
    expect(await ok('nc-jammy/0', 'node --version')).toBe('v12.22.9\n');
    expect(await ok('nc-archive/0', "apt-cache policy nodejs | sed -n 's/^ *Candidate: //p'")).toBe(`${hostNode.slice(1)}-1jemu\n`);
  });

  test('no node + the node-runtime resource: every hook runs on the resource\'s node, unpacked once', async () => {
    expect(statusOf('lxd-res/0').status).toBe('active');
    const node = (await ok('lxd-res/0', `cat ${charmFile('lxd-res/0', '.node-runtime')}`)).trim();
    expect(node).toMatch(new RegExp(`/charm/\\.node-runtime\\.d/\\d+-\\d+/node-${hostNode.replace(/\./g, '\\.')}-linux-${nodeArch}/bin/node$`));
    expect(await ok('lxd-res/0', `${node} --version`)).toBe(`${hostNode}\n`);
    // a second run changes nothing: the next hooks start the same node, nothing unpacked again
    model.updateStatus(['lxd-res/0']);
    await settle();
    expect(statusOf('lxd-res/0').status).toBe('active');
    expect(count(model.debugLog('lxd-res/0'), 'unpacking the node-runtime resource')).toBe(1);
  });

  test('Ubuntu 22.04\'s shape (Node.js 12, 12 in the archive, no snap), no resource: blocked with the exact message', () => {
    expect(statusOf('lxd-old/0')).toEqual({
      status: 'blocked',
      message:
        'no Node.js 18.19+ for this charm (Node.js 12.22 at /usr/bin/node is older than 18.19); tried: no node-runtime resource, ' +
        "the apt archive's nodejs is 12.22, no snap; provide one: juju attach-resource lxd-old node-runtime=<a Node.js 18.19+ " +
        `linux-${nodeArch} tarball>, a nodejs 18.19+ in the apt archive, or the node snap`,
    });
    expect(model.debugLog('lxd-old/0')).not.toContain('hook failed');
  });

  test('then juju attach-resource: upgrade-charm picks the resource\'s node up and the unit goes active', async () => {
    model.attachResource('lxd-old', 'node-runtime', tarball);
    await settle();
    expect(statusOf('lxd-old/0').status).toBe('active');
    expect(await ok('lxd-old/0', `cat ${charmFile('lxd-old/0', '.node-runtime')}`)).toContain('/charm/.node-runtime.d/');
  });

  test('an archive with a new enough nodejs and no resource: the install hook installs it and it runs the hooks', async () => {
    expect(statusOf('lxd-arch/0').status).toBe('active');
    expect(await ok('lxd-arch/0', `cat ${charmFile('lxd-arch/0', '.node-runtime')}`)).toBe('/usr/bin/node\n');
    expect(await ok('lxd-arch/0', 'node --version')).toBe(`${hostNode}\n`);
    expect(model.debugLog('lxd-arch/0')).toContain(`installing nodejs ${hostNode.slice(1)}-1jemu from the apt archive`);
  });
});
