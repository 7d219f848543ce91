// The dispatch script, run for real by /bin/sh. The one test here that spawns processes: only that shell
// and stub `node`, `apt-get`, `snap`, `status-set` and `action-fail` scripts in a temporary directory,
// which PATH holds alone (nothing is installed; /snap/bin/node must not exist on the test machine).
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

/** apt-get stub: exits `exit`; on success "installs" a node of `provides` when given. */
function installAptGet(exit: number, provides?: string): void {
  const newNode = provides === undefined ? '' : `
if [ "$1" = install ]; then
  printf '%s\\n' '#!/bin/sh' 'if [ "$1" = --version ]; then echo v${provides}; exit 0; fi' 'echo "node run $*" >> ${box.log}' > ${box.stubs}/node
  /bin/chmod 755 ${box.stubs}/node
fi`;
  writeScript(join(box.stubs, 'apt-get'), `echo "apt-get $*" >> ${box.log}${exit === 0 ? newNode : ''}\nexit ${exit}`);
}

function run(event: string, env: Record<string, string> = {}): { status: number | null; stderr: string; log: string[] } {
  const result = spawnSync('/bin/sh', [join(box.charm, 'dispatch')], {
    cwd: box.charm,
    env: { PATH: box.stubs, JUJU_CHARM_DIR: box.charm, JUJU_DISPATCH_PATH: event, ...env },
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
});

afterEach(() => rmSync(box.dir, { recursive: true, force: true }));

test('a new enough node runs the bundle with the event\'s dispatch path, and its exit code is the hook\'s', () => {
  installNode('20.19.2');
  const result = run('hooks/update-status', { NODE_EXIT: '3' });
  expect(result.status).toBe(3);
  expect(result.log).toEqual(['node --version', `node run ${box.charm}/dist/lxd-charm.js JUJU_DISPATCH_PATH=hooks/update-status`]);
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

test('nodejs is found under that name too', () => {
  installNode('18.19.1', 'nodejs');
  expect(run('hooks/start').log).toContain(`nodejs run ${box.charm}/dist/lxd-charm.js JUJU_DISPATCH_PATH=hooks/start`);
});

test('a later hook with a too old node: blocked with the exact reason, exit 0, nothing installed', () => {
  installNode('18.18.2');
  installAptGet(0, '20.0.0');
  const result = run('hooks/update-status');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'node --version',
    `status-set blocked|Node.js 18.18 at ${box.stubs}/node is older than the 18.19 this charm needs; install it on the machine and the next hook carries on`,
  ]);
});

test('install with the archive\'s old node: apt-get installs a newer nodejs and the hook runs', () => {
  installNode('12.22.9');
  installAptGet(0, '18.19.0');
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'node --version',
    'apt-get install -y -o DPkg::Lock::Timeout=300 nodejs',
    `node run ${box.charm}/dist/lxd-charm.js`,
  ]);
});

test('install with no node where apt-get fails and there is no snap: blocked, saying what was tried', () => {
  installAptGet(100);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'apt-get install -y -o DPkg::Lock::Timeout=300 nodejs',
    'apt-get update',
    'status-set blocked|no Node.js found (this charm needs 18.19 or newer); apt-get install nodejs failed; no snap to install it from',
  ]);
});

test('install where the archive only has an old nodejs and the snap fails: blocked with both reasons', () => {
  installNode('12.22.9');
  installAptGet(0, '12.22.9');
  writeScript(join(box.stubs, 'snap'), `echo "snap $*" >> ${box.log}\nexit 1`);
  const result = run('hooks/install');
  expect(result.status).toBe(0);
  expect(result.log.slice(-2)).toEqual([
    'snap install node --classic --channel=20/stable',
    `status-set blocked|Node.js 12.22 at ${box.stubs}/node is older than the 18.19 this charm needs; the archive has no newer nodejs; snap install node failed`,
  ]);
});

test('an action with no node fails with the reason and the unit shows it', () => {
  const result = run('actions/show-config');
  expect(result.status).toBe(0);
  expect(result.log).toEqual([
    'action-fail no Node.js found (this charm needs 18.19 or newer); install it on the machine and the next hook carries on',
    'status-set blocked|no Node.js found (this charm needs 18.19 or newer); install it on the machine and the next hook carries on',
  ]);
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
