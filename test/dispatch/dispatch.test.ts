// The dispatch script, run for real by /bin/sh. The one test here that spawns processes: only that shell
// and stub `node`, `apt-get`, `apt-cache`, `snap`, `resource-get`, `status-set` and `action-fail` scripts
// in a temporary directory, which PATH holds alone with links to the few real tools dispatch uses to
// unpack a resource (tar, cksum, …). Nothing is installed; /snap/bin/node must not exist on this machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoDispatch = join(__dirname, '..', '..', 'dispatch');

interface Sandbox {
  readonly dir: string;
  readonly stubs: string;
  readonly charm: string;
  readonly log: string;
}

let box: Sandbox;

function writeScript(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A stub node reporting `version` (its --version calls are logged too); it logs how it was run. */
function installNode(version: string, name = 'node'): void {
  writeScript(join(box.stubs, name), [
    `if [ "$1" = --version ]; then echo "${name} --version" >> ${box.log}; echo v${version}; exit 0; fi`,
    `echo "${name} run $* JUJU_DISPATCH_PATH=$JUJU_DISPATCH_PATH" >> ${box.log}`,
    'exit "${NODE_EXIT:-0}"',
  ].join('\n'));
}

/**
 * An apt archive whose nodejs candidate is `candidate` (a Debian version; none: no nodejs): apt-cache
 * policy answers it, apt-get install exits `exit` and on success installs a node reporting it.
 */
function installArchive(candidate: string | undefined, exit = 0): void {
  writeScript(join(box.stubs, 'apt-cache'), `echo "apt-cache $*" >> ${box.log}\necho 'nodejs:'\necho '  Installed: (none)'\necho '  Candidate: ${candidate ?? '(none)'}'`);
  const nodeVersion = (candidate ?? '').replace(/^\d+:/, '').replace(/[~+-].*$/, '');
  const newNode = `
if [ "$1" = install ]; then
  printf '%s\\n' '#!/bin/sh' 'if [ "$1" = --version ]; then echo v${nodeVersion}; exit 0; fi' 'echo "node run $*" >> ${box.log}' > ${box.stubs}/node
  /bin/chmod 755 ${box.stubs}/node
fi`;
  writeScript(join(box.stubs, 'apt-get'), `echo "apt-get $*" >> ${box.log}${exit === 0 ? newNode : ''}\nexit ${exit}`);
}

/** The node-runtime resource: a real tarball holding `<top>/bin/node`, a stub reporting `version`. */
function attachResource(version: string, top = `node-v${version}-linux-x64`): string {
  const tree = join(box.dir, 'tree');
  mkdirSync(join(tree, top, 'bin'), { recursive: true });
  writeScript(join(tree, top, 'bin', 'node'), [
    `if [ "$1" = --version ]; then echo v${version}; exit 0; fi`,
    `echo "resource node run $*" >> ${box.log}`,
  ].join('\n'));
  const file = join(box.dir, 'node-runtime.tar.xz');
  const tar = spawnSync('tar', ['-cJf', file, '-C', tree, top]);
  if (tar.status !== 0) throw new Error(`tar failed: ${String(tar.stderr)}`);
  rmSync(tree, { recursive: true });
  serveResource(file);
  return file;
}

/** resource-get: prints `file` (as Juju does, the path of the unit's copy), or fails as for no upload. */
function serveResource(file: string | undefined): void {
  writeScript(join(box.stubs, 'resource-get'), file === undefined
    ? `echo "resource-get $*" >> ${box.log}\necho 'ERROR could not download resource: resource#lxd/node-runtime not found' >&2\nexit 1`
    : `echo "resource-get $*" >> ${box.log}\necho ${file}`);
}

/** The blocked message's fixed end: which of the three to provide. */
const PROVIDE = 'provide one: juju attach-resource lxd node-runtime=<a Node.js 18.19+ linux-x64 tarball>, a nodejs 18.19+ in the apt archive, or the node snap';

function run(event: string, env: Record<string, string> = {}): { status: number | null; stderr: string; log: string[] } {
  const result = spawnSync('/bin/sh', [join(box.charm, 'dispatch')], {
    cwd: box.charm,
    env: { PATH: box.stubs, JUJU_CHARM_DIR: box.charm, JUJU_DISPATCH_PATH: event, JUJU_UNIT_NAME: 'lxd/0', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  const log = existsSync(box.log) ? readFileSync(box.log, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { status: result.status, stderr: result.stderr, log };
}

beforeAll(() => {
  if (existsSync('/snap/bin/node')) throw new Error('/snap/bin/node exists on this machine: the dispatch tests need a machine without it');
});

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'h1-dispatch-'));
  box = { dir, stubs: join(dir, 'bin'), charm: join(dir, 'charm'), log: join(dir, 'calls.log') };
  mkdirSync(box.stubs);
  mkdirSync(join(box.charm, 'dist'), { recursive: true });
  mkdirSync(join(box.charm, 'hooks'));
  copyFileSync(repoDispatch, join(box.charm, 'dispatch'));
  chmodSync(join(box.charm, 'dispatch'), 0o755);
  writeFileSync(join(box.charm, 'dist', 'lxd-charm.js'), '// bundle\n');
  writeScript(join(box.stubs, 'status-set'), `printf 'status-set %s|%s\\n' "$1" "$2" >> ${box.log}`);
  writeScript(join(box.stubs, 'action-fail'), `printf 'action-fail %s\\n' "$1" >> ${box.log}`);
  for (const tool of ['tar', 'xz', 'gzip', 'cksum', 'mkdir', 'rm', 'mv', 'sed', 'uname']) {
    const real = ['/usr/bin', '/bin'].map((dir) => join(dir, tool)).find((path) => existsSync(path));
    if (real === undefined) throw new Error(`${tool} is missing on this machine: dispatch's tests need it`);
    symlinkSync(real, join(box.stubs, tool));
  }
});

afterEach(() => rmSync(box.dir, { recursive: true, force: true }));

test('a new enough node runs the bundle with the event\'s dispatch path, and its exit code is the hook\'s', () => {
  installNode('20.19.2');
  serveResource(undefined); // asked first, not there
  const result = run('hooks/update-status', { NODE_EXIT: '3' });
  expect(result.status).toBe(3);
  expect(result.log).toEqual(['resource-get node-runtime', 'node --version', `node run ${box.charm}/dist/lxd-charm.js JUJU_DISPATCH_PATH=hooks/update-status`]);
});

test('the chosen node is remembered: the next hook starts it without asking its version', () => {
  installNode('20.19.2');
  run('hooks/update-status');
  const second = run('hooks/config-changed');
  expect(second.status).toBe(0);
  expect(second.log.filter((l) => l === 'node --version')).toHaveLength(1);
  expect(readFileSync(join(box.charm, '.node-runtime'), 'utf8')).toBe(`${box.stubs}/node\n`);
});

test('through a hooks/<name> symlink with no JUJU_DISPATCH_PATH (agents before 2.8), the path is $0', () => {
  installNode('18.19.0'); // exactly the minimum
  symlinkSync('../dispatch', join(box.charm, 'hooks', 'install'));
  const result = spawnSync(join(box.charm, 'hooks', 'install'), [], { cwd: box.charm, env: { PATH: box.stubs, JUJU_CHARM_DIR: box.charm }, encoding: 'utf8' });
  expect(result.status).toBe(0);
  expect(readFileSync(box.log, 'utf8')).toContain(`JUJU_DISPATCH_PATH=${box.charm}/hooks/install`);
});

test('nodejs is found under that name too (no resource-get on PATH counts as no resource)', () => {
  installNode('18.19.1', 'nodejs');
  expect(run('hooks/start').log).toContain(`nodejs run ${box.charm}/dist/lxd-charm.js JUJU_DISPATCH_PATH=hooks/start`);
});

test.each([
  ['18.19.0', true], ['18.19.1', true], ['18.20.4', true], ['19.0.0', true], ['20.11.0', true], ['22.23.5', true], ['100.0.0', true],
  ['18.18.2', false], ['18.9.0', false], ['17.99.0', false], ['12.22.9', false], ['8.10.0', false],
])('version comparison: node v%s is accepted: %s', (version, accepted) => {
  installNode(version);
  const result = run('hooks/update-status');
  expect(result.status).toBe(0);
  expect(result.log.some((l) => l.startsWith('node run '))).toBe(accepted);
});

test.each(['v18', 'vnext', 'v.19.2', 'v18.x'])('version comparison: an unreadable version (%s) is refused, saying so', (reported) => {
  writeScript(join(box.stubs, 'node'), `echo ${reported}`);
  const result = run('hooks/update-status');
  expect(result.log.at(-1)).toBe(`status-set blocked|no Node.js 18.19+ for this charm (${box.stubs}/node reports an unreadable version "${reported}"); tried: no node-runtime resource, installs are tried by the install and upgrade-charm hooks only; ${PROVIDE}`);
});

test.each([
  ['18.19.1+dfsg-6ubuntu5', true], ['1:18.19.0-1', true], ['20.20.2-1nodesource1+repack1', true], ['22.11.0+dfsg-1', true],
  ['12.22.9~dfsg-1ubuntu3', false], ['18.13.0+dfsg1-1ubuntu2', false], ['10.19.0~dfsg-3ubuntu1', false],
])('version comparison: the archive\'s nodejs %s is installed: %s', (candidate, installed) => {
  installArchive(candidate);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log.some((l) => l.startsWith('apt-get install'))).toBe(installed);
  expect(result.log.some((l) => l.startsWith('node run '))).toBe(installed);
});

test('a later hook with a too old node: blocked with the exact reason, exit 0, nothing installed', () => {
  installNode('18.18.2');
  installArchive('20.0.0-1');
  const result = run('hooks/update-status');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'node --version',
    `status-set blocked|no Node.js 18.19+ for this charm (Node.js 18.18 at ${box.stubs}/node is older than 18.19); tried: no node-runtime resource, installs are tried by the install and upgrade-charm hooks only; ${PROVIDE}`,
  ]);
});

test('install with the archive\'s old node installed and a newer candidate: apt-get installs it and the hook runs', () => {
  installNode('12.22.9');
  installArchive('18.19.1+dfsg-6ubuntu5');
  serveResource(undefined);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'resource-get node-runtime',
    'node --version',
    'apt-cache policy nodejs',
    'apt-get install -y -o DPkg::Lock::Timeout=300 nodejs',
    `node run ${box.charm}/dist/lxd-charm.js`,
  ]);
});

test('install with no node, no archive nodejs even after apt-get update, and no snap: blocked, saying what was tried', () => {
  installArchive(undefined);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'apt-cache policy nodejs',
    'apt-get update',
    'apt-cache policy nodejs',
    `status-set blocked|no Node.js 18.19+ for this charm (none found); tried: no node-runtime resource, the apt archive has no nodejs, no snap; ${PROVIDE}`,
  ]);
});

test('install with the archive\'s old node only (Ubuntu 22.04: 12.22) and no snap: nothing installed, blocked with the exact message', () => {
  installNode('12.22.9');
  installArchive('12.22.9~dfsg-1ubuntu3');
  serveResource(undefined);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log.filter((l) => l.startsWith('apt-get install'))).toEqual([]);
  expect(result.log.at(-1)).toBe(`status-set blocked|no Node.js 18.19+ for this charm (Node.js 12.22 at ${box.stubs}/node is older than 18.19); tried: no node-runtime resource, the apt archive's nodejs is 12.22, no snap; ${PROVIDE}`);
});

test('hooks after a blocked install keep saying what the install tried, and try the resource again', () => {
  installNode('12.22.9');
  installArchive('12.22.9~dfsg-1ubuntu3');
  serveResource(undefined);
  run('hooks/install');
  const later = run('hooks/config-changed');
  expect(later.log.slice(-3)).toEqual([
    'resource-get node-runtime',
    'node --version',
    `status-set blocked|no Node.js 18.19+ for this charm (Node.js 12.22 at ${box.stubs}/node is older than 18.19); tried: no node-runtime resource, the apt archive's nodejs is 12.22, no snap; ${PROVIDE}`,
  ]);
});

test('install where the archive is too old and the snap fails: blocked with every reason', () => {
  installNode('12.22.9');
  installArchive('12.22.9~dfsg-1ubuntu3');
  writeScript(join(box.stubs, 'snap'), `echo "snap $*" >> ${box.log}\nexit 1`);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log.slice(-2)).toEqual([
    'snap install node --classic --channel=22/stable',
    `status-set blocked|no Node.js 18.19+ for this charm (Node.js 12.22 at ${box.stubs}/node is older than 18.19); tried: no node-runtime resource, the apt archive's nodejs is 12.22, snap install node failed; ${PROVIDE}`,
  ]);
});

test('the node-runtime resource comes first: unpacked once, its node runs the hook even beside an adequate node on PATH', () => {
  installNode('20.19.2');
  attachResource('22.23.5');
  const first = run('hooks/install');
  expect(first.status).toBe(0);
  expect(first.log).toEqual(['resource-get node-runtime', `resource node run ${box.charm}/dist/lxd-charm.js`]);
  const node = readFileSync(join(box.charm, '.node-runtime'), 'utf8').trim();
  expect(node).toMatch(new RegExp(`^${box.charm}/\\.node-runtime\\.d/\\d+-\\d+/node-v22\\.23\\.5-linux-x64/bin/node$`));
  const later = run('hooks/config-changed');
  expect(later.log.slice(first.log.length)).toEqual([`resource node run ${box.charm}/dist/lxd-charm.js`]);
});

test('the npm registry\'s package layout (package/bin/node) works as a resource too', () => {
  attachResource('22.23.5', 'package');
  expect(run('hooks/install').log).toContain(`resource node run ${box.charm}/dist/lxd-charm.js`);
});

test('upgrade-charm (after juju attach-resource) chooses again: a new resource replaces the node used before', () => {
  installNode('20.19.2');
  serveResource(undefined);
  run('hooks/install');
  expect(readFileSync(join(box.charm, '.node-runtime'), 'utf8')).toBe(`${box.stubs}/node\n`);
  attachResource('22.23.5');
  const upgrade = run('hooks/upgrade-charm');
  expect(upgrade.log.at(-1)).toBe(`resource node run ${box.charm}/dist/lxd-charm.js`);
});

test('an emptied resource undoes it: upgrade-charm removes the unpacked runtime and falls back to PATH', () => {
  attachResource('22.23.5');
  run('hooks/install');
  expect(existsSync(join(box.charm, '.node-runtime.d'))).toBe(true);
  const empty = join(box.dir, 'empty');
  writeFileSync(empty, '');
  serveResource(empty);
  installNode('20.19.2');
  const upgrade = run('hooks/upgrade-charm');
  expect(existsSync(join(box.charm, '.node-runtime.d'))).toBe(false);
  expect(upgrade.log.at(-1)).toBe(`node run ${box.charm}/dist/lxd-charm.js JUJU_DISPATCH_PATH=hooks/upgrade-charm`);
});

test('a resource with a too old node, or one that is not a tarball, is named in the blocked message', () => {
  attachResource('16.20.2');
  installArchive(undefined);
  const old = run('hooks/install');
  const resourceNode = `${box.charm}/.node-runtime.d/`;
  expect(old.log.at(-1)).toMatch(new RegExp(`^status-set blocked\\|no Node\\.js 18\\.19\\+ for this charm \\(none found\\); tried: the node-runtime resource: Node\\.js 16\\.20 at ${resourceNode.replace(/\./g, '\\.')}[^ ]+/bin/node is older than 18\\.19, the apt archive has no nodejs, no snap; `));
  const junk = join(box.dir, 'junk.tar.xz');
  writeFileSync(junk, 'not a tarball\n');
  serveResource(junk);
  const bad = run('hooks/upgrade-charm');
  expect(bad.log.at(-1)).toBe(`status-set blocked|no Node.js 18.19+ for this charm (none found); tried: the node-runtime resource is not a tarball tar can unpack, the apt archive has no nodejs, no snap; ${PROVIDE}`);
  expect(existsSync(join(box.charm, '.node-runtime.d'))).toBe(false);
});

test('an action with no node fails with the reason and the unit shows it', () => {
  const result = run('actions/show-config');
  expect(result.status).toBe(0);
  const message = `no Node.js 18.19+ for this charm (none found); tried: no node-runtime resource, installs are tried by the install and upgrade-charm hooks only; ${PROVIDE}`;
  expect(result.log).toEqual([`action-fail ${message}`, `status-set blocked|${message}`]);
});

test('a charm packed without its bundle fails the hook with a clear message', () => {
  installNode('20.19.2');
  rmSync(join(box.charm, 'dist', 'lxd-charm.js'));
  const result = run('hooks/start');
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('dist/lxd-charm.js is missing');
});

test('dispatch in the repository is executable', () => {
  expect(spawnSync(repoDispatch, [], { env: { PATH: box.stubs, JUJU_CHARM_DIR: box.charm, JUJU_DISPATCH_PATH: 'hooks/x' } }).error).toBeUndefined();
});
