#!/usr/bin/env node
// `npm run bench:hook`: the start-up cost of the PACKED charm's hooks, each run as a real process the
// way Juju runs it, side by side with `node -e 0`, as a ratio of medians against the budgets (issue 13):
//   update-status with nothing to do                        ≤ 1.2
//   config-changed with nothing to do                       ≤ 1.5
//   lxd-migration-relation-joined/-changed/-departed for
//   one peer (lxd/1), on a converged unit                   ≤ 2.0
//   peak memory (VmHWM) of any hook run / node -e 0's       ≤ 1.3
// and, for reference without a budget: config-changed-full, a config-changed that runs the full
// converge (its memo removed before each run: what the hourly full check costs), and ignored-event, a
// hook the charm does not handle (loading the full charm, one juju-log). Every -departed run finds the
// peer wired: a -changed run (not timed, without this unit's memory of the peer, so it is not quiet)
// wires it again before each one. peer-joined and peer-changed bring the record already wired: the
// entry point ends them after a state-get and a relation-get.
// Peak memory: after the timed runs, a few more runs of each case and of `node -e 0` with
// NODE_OPTIONS=--require bench/hook/peak-rss.cjs, which appends the process's VmHWM (/proc/self/status)
// at exit; the highest hook run over the highest `node -e 0` run is the figure.
//
// "Nothing to do" must be real, so the bench first makes a converged unit: an emulated machine (its own
// network namespace, mount view and real LXD daemon) with nova-compute and this charm deployed, related
// and settled, as in the demo. Then, inside that machine, a driver (bench/hook/driver.mjs) times each
// hook against `node -e 0`, interleaved. The hook tools are the emulator's own (its jujuc client and
// tool server), each run answering from a throwaway copy of the settled model: exact answers for any
// argument, as a live unit would give, and nothing a run writes reaches the model. After the runs the
// bench checks that every run of a no-change hook wrote nothing (no state, relation data or status).
//
//   node bench/hook.mjs [--runs N] [--hooks update-status,config-changed,peer-changed,…] [--check] [--keep]
//                       [--units N (default 2: one peer)] [--profile DIR]   (V8 CPU profiles of every hook run, under DIR/<hook>/)
// Needs root, lxc, build/lxd.charm (`npm run pack`) and emulator/dist (`npm run build -w juju-emulator`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifact = join(root, 'build', 'lxd.charm');
const emulatorDist = join(root, 'emulator', 'dist');
const driver = join(root, 'bench', 'hook', 'driver.mjs');
const peakRss = join(root, 'bench', 'hook', 'peak-rss.cjs');
const BUDGETS = {
  'update-status': 1.2,
  'config-changed': 1.5,
  'peer-joined': 2.0,
  'peer-changed': 2.0,
  'peer-departed': 2.0,
  'config-changed-full': null,
  'ignored-event': null,
};
const MEMORY_BUDGET = 1.3;
const MEMORY_RUNS = 3;
const PEER_ENDPOINT = 'lxd-migration';
const PEER = 'lxd/1';
// this unit's memory of PEER in its charm state (src/model/peer-digest.ts peerMemoryKey)
const PEER_MEMORY_KEY = `migration-peer-${PEER.replace('/', '-')}`;
// the Juju hook each measured case runs
const HOOK_NAMES = {
  'ignored-event': 'bench-ignored-event',
  'config-changed-full': 'config-changed',
  'peer-joined': `${PEER_ENDPOINT}-relation-joined`,
  'peer-changed': `${PEER_ENDPOINT}-relation-changed`,
  'peer-departed': `${PEER_ENDPOINT}-relation-departed`,
};
// where converge leaves update-status and config-changed their memo (src/juju/unit-memo.ts)
const MEMO_FILE = '.lxd-charm-memo.json';
const WARMUP_RUNS = 3;
const UNIT = 'lxd/0';

function parseArgs(argv) {
  const options = { runs: 30, hooks: Object.keys(BUDGETS), check: false, keep: false, profile: undefined, units: 2 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--runs') options.runs = Number(argv[(i += 1)]);
    else if (arg === '--hooks') options.hooks = String(argv[(i += 1)]).split(',').filter(Boolean);
    else if (arg === '--check') options.check = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--units') options.units = Number(argv[(i += 1)]);
    else if (arg === '--profile') options.profile = String(argv[(i += 1)]); // a directory for V8 CPU profiles of the hook runs
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 3) throw new Error('--runs must be an integer >= 3');
  if (options.units < 2 && options.hooks.some((hook) => hook.startsWith('peer-'))) throw new Error('the peer-* cases need --units 2 or more');
  const unknown = options.hooks.filter((hook) => !(hook in BUDGETS));
  if (unknown.length > 0) throw new Error(`no budget known for hook(s) ${unknown.join(', ')}; known: ${Object.keys(BUDGETS).join(', ')}`);
  return options;
}

function skip(why) {
  console.log(`bench:hook: skipped (${why})`);
  process.exit(0);
}

/** A converged lxd/0 beside nova-compute/0, with units-1 peers (lxd/1…) so the peer path is on the clock too. */
async function convergedModel(Model, builtinCharm, home, units) {
  const model = await Model.create({ name: `bench-hook-${process.pid}`, backend: 'namespace', home });
  try {
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd', artifact, { config: { 'storage-type': 'lvm', 'block-devices': '/var/lib/lxd/disks/juju-lvm0.img|2G', 'lvm-thinpool': false } });
    model.relate('lxd', 'nova-compute');
    const report = await model.settle();
    if (report.failed.length > 0) throw new Error(`settling failed: ${report.failed.map((f) => `${f.unit} ${f.label}`).join(', ')}`);
    const status = model.state.units[UNIT]?.workloadStatus;
    if (status?.status !== 'active') throw new Error(`${UNIT} did not converge: ${status?.status} "${status?.message}"\n${model.debugLog(UNIT).slice(-3000)}`);
    return model;
  } catch (error) {
    await model.destroy();
    throw error;
  }
}

/** The lxd-migration peer relation of this model. */
function peerRelation(state) {
  const relation = Object.values(state.relations).find((r) => r.endpoints.length === 1 && r.endpoints[0].endpoint === PEER_ENDPOINT);
  if (!relation) throw new Error(`no ${PEER_ENDPOINT} peer relation in the model`);
  return relation;
}

/** Exactly the variables Juju sets (contract section 2), for lxd/0 in this model; JUJU_CONTEXT_ID per run. */
function hookEnvironment(model, charmDir, toolsDir, socket, hook) {
  const unit = model.state.units[UNIT];
  const relation = hook.startsWith(`${PEER_ENDPOINT}-relation-`) ? peerRelation(model.state) : null;
  const relationEnv = relation === null ? {} : {
    JUJU_RELATION: PEER_ENDPOINT, JUJU_RELATION_ID: `${PEER_ENDPOINT}:${relation.id}`, JUJU_REMOTE_APP: 'lxd', JUJU_REMOTE_UNIT: PEER,
    ...(hook.endsWith('-departed') ? { JUJU_DEPARTING_UNIT: PEER } : {}),
  };
  return {
    ...relationEnv,
    CHARM_DIR: charmDir, JUJU_CHARM_DIR: charmDir,
    JUJU_HOOK_NAME: hook, JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_AGENT_SOCKET_ADDRESS: socket, JUJU_AGENT_SOCKET_NETWORK: 'unix',
    JUJU_UNIT_NAME: UNIT, JUJU_MODEL_UUID: model.state.uuid, JUJU_MODEL_NAME: model.state.name,
    JUJU_API_ADDRESSES: '10.0.0.1:17070', JUJU_MACHINE_ID: unit.machine, JUJU_PRINCIPAL_UNIT: unit.principal ?? '',
    JUJU_AVAILABILITY_ZONE: '', JUJU_VERSION: '3.6.4', CLOUD_API_VERSION: '',
    JUJU_CHARM_HTTP_PROXY: '', JUJU_CHARM_HTTPS_PROXY: '', JUJU_CHARM_FTP_PROXY: '', JUJU_CHARM_NO_PROXY: '',
    PATH: `${toolsDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin`,
    LANG: 'C.UTF-8', TERM: 'screen',
  };
}

/** What a run changed in its copy of the model: state keys, relation bags, the unit's status. */
function writesOf(original, copy, commit) {
  const writes = [];
  const before = original.units[UNIT];
  const after = copy.units[UNIT];
  const keys = new Set([...Object.keys(before.state), ...Object.keys(after.state)]);
  for (const key of keys) if (before.state[key] !== after.state[key]) writes.push(`state ${key}`);
  for (const bag of commit.changedBags) writes.push(`relation data ${bag.relationId ?? ''} ${bag.owner ?? JSON.stringify(bag)}`);
  if (before.workloadStatus.status !== after.workloadStatus.status || before.workloadStatus.message !== after.workloadStatus.message) {
    writes.push(`status ${after.workloadStatus.status} "${after.workloadStatus.message}"`);
  }
  if (before.workloadVersion !== after.workloadVersion) writes.push('workload version');
  return writes;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

function report(result) {
  const f = (ms) => `${ms.toFixed(1)} ms`;
  const line = (label, times) => `  ${label.padEnd(24)} median ${f(median(times)).padStart(9)}   p10 ${f(percentile(times, 10)).padStart(9)}   p90 ${f(percentile(times, 90)).padStart(9)}`;
  const ratio = median(result.hookTimes) / median(result.nodeTimes);
  const budget = BUDGETS[result.hook];
  console.log(`hook ${result.hook} (${result.hookName}): ${result.hookTimes.length} interleaved runs each (after ${WARMUP_RUNS} warm-up pairs)`);
  console.log(line('node -e 0', result.nodeTimes));
  console.log(line(`dispatch (${result.hook})`, result.hookTimes));
  const verdict = budget === null ? 'for reference, no budget' : `budget ${budget.toFixed(1)}: ${ratio <= budget ? 'within budget' : 'OVER BUDGET'}`;
  console.log(`  ratio of medians: ${ratio.toFixed(2)} (${verdict})`);
  console.log(`  hook tool calls per run: ${result.toolCalls}${result.toolNames ? ` (${result.toolNames})` : ''}; writes: ${result.writes.length === 0 ? 'none (a true no-change run)' : result.writes.join(', ')}`);
  console.log(`  peak RSS: ${(result.peakKb / 1024).toFixed(1)} MiB`);
  return { hook: result.hook, ratio, budget, within: budget === null || ratio <= budget };
}

/** "config-get, network-get" for one run: tool names with counts, in the order first called. */
const describeTools = (names) => {
  const counts = new Map();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name}×${n}` : name)).join(', ');
};

/** The event a case's HookContext answers for, and its copy of the model as Juju shows it during that hook. */
function eventFor(model, hook, name) {
  const copy = structuredClone(model.state);
  if (!hook.startsWith('peer-')) return { copy, event: { kind: 'hook', name } };
  const relation = peerRelation(copy);
  // during -departed relation-list no longer has the departing unit (emulator's beforeHook does the same)
  if (hook === 'peer-departed') relation.joined[UNIT] = (relation.joined[UNIT] ?? []).filter((u) => u !== PEER);
  return { copy, event: { kind: 'hook', name, relationId: relation.id, remoteUnit: PEER, remoteApp: 'lxd', ...(hook === 'peer-departed' ? { departingUnit: PEER } : {}) } };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) skip('needs root for namespaces and LXD');
  if (!existsSync('/usr/bin/lxc') && !existsSync('/usr/bin/lxd')) skip('needs LXD (scripts/setup-host.sh)');
  if (!existsSync(artifact)) skip(`${artifact} does not exist: run \`npm run pack\``);
  if (!existsSync(join(emulatorDist, 'index.js'))) skip('no emulator/dist: run `npm run build -w juju-emulator`');
  const require = createRequire(import.meta.url);
  const { Model, builtinCharm } = require(join(emulatorDist, 'index.js'));
  const { ToolServer, HookContext, installToolLinks } = require(join(emulatorDist, 'tools', 'index.js'));

  const work = mkdtempSync(join(tmpdir(), 'lxd-bench-hook-'));
  let model = null;
  let server = null;
  const verdicts = [];
  try {
    console.log(`packed charm: ${artifact}; node ${process.version}; making a converged unit (${options.units} machine(s), real LXD)…`);
    const started = Date.now();
    model = await convergedModel(Model, builtinCharm, join(work, 'models'), options.units);
    console.log(`converged in ${((Date.now() - started) / 1000).toFixed(1)} s: ${UNIT} "${model.state.units[UNIT].workloadStatus.message}"`);

    const charmDir = join(work, 'charm');
    mkdirSync(charmDir);
    const unzip = spawnSync('unzip', ['-q', artifact, '-d', charmDir], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`unzip failed: ${unzip.stderr || unzip.error?.message}`);
    const toolsDir = join(work, 'tools');
    mkdirSync(toolsDir);
    installToolLinks(toolsDir);
    const socket = join(work, 'tools.sock');
    server = new ToolServer();
    await server.start(socket);
    // the tools each run called, in order (the interceptor sees every call and lets it run)
    const calls = new Map();
    const register = (ctx) => server.register(ctx, (tool) => {
      calls.set(ctx.contextId, [...(calls.get(ctx.contextId) ?? []), tool]);
      return { kind: 'run' };
    });

    const runs = [];
    const plan = { warmup: WARMUP_RUNS, memoryRuns: MEMORY_RUNS, peakRss, hooks: [] };
    const newContext = (hook, name, label, i) => {
      const { copy, event } = eventFor(model, hook, name);
      // a prepare run wires the peer again: without this unit's memory of it, the entry point's quiet
      // check for a wired peer (src/quiet-hooks.ts) hands it to the full charm
      if (label === 'prepare') delete copy.units[UNIT].state[PEER_MEMORY_KEY];
      const contextId = `${UNIT}-${hook}-${label}${i}-${process.pid}`;
      const ctx = new HookContext({ state: copy, unit: UNIT, event, contextId, log: () => undefined, now: () => new Date() });
      register(ctx);
      return { hook, ctx, copy, contextId, label };
    };
    // -departed undoes the wiring: a -changed for the same peer (not timed) wires it again before each run
    const prepareName = HOOK_NAMES['peer-changed'];
    for (const hook of options.hooks) {
      const name = HOOK_NAMES[hook] ?? hook;
      const contextIds = [];
      const prepareIds = [];
      for (let i = 0; i < WARMUP_RUNS + options.runs + MEMORY_RUNS; i += 1) {
        const run = newContext(hook, name, '', i);
        runs.push(run);
        contextIds.push(run.contextId);
        if (hook === 'peer-departed') prepareIds.push(newContext('peer-changed', prepareName, 'prepare', i).contextId);
      }
      // profiling runs the bundle under node directly (NODE_OPTIONS may not carry --cpu-prof)
      const command = options.profile
        ? [process.execPath, '--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', join(options.profile, hook), join(charmDir, 'dist', 'lxd-charm.js')]
        : [join(charmDir, 'dispatch')];
      const forget = hook === 'config-changed-full' ? join(charmDir, MEMO_FILE) : undefined;
      const prepare = prepareIds.length > 0 ? { command: [join(charmDir, 'dispatch')], env: hookEnvironment(model, charmDir, toolsDir, socket, prepareName), contextIds: prepareIds } : undefined;
      plan.hooks.push({ name: hook, command, charmDir, env: hookEnvironment(model, charmDir, toolsDir, socket, name), contextIds, forget, prepare });
    }
    const planPath = join(work, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan));
    // inside lxd/0's machine: its LXD socket, its /etc, its namespaces; the tool socket is a host path
    const result = await model.exec(UNIT, [process.execPath, driver, planPath], { timeoutMs: 30 * 60_000 });
    if (result.exitCode !== 0) throw new Error(`driver failed (exit ${result.exitCode}): ${result.stderr}`);
    const { results: timings, nodePeakKb } = JSON.parse(result.stdout);

    let hookPeakKb = 0;
    let hookPeakCase = '';
    for (const timing of timings) {
      if (timing.failures.length > 0) throw new Error(`${timing.name} failed:\n${timing.failures.join('\n')}`);
      const mine = runs.filter((r) => r.hook === timing.name && r.label === '');
      const writes = new Set();
      for (const run of mine) {
        for (const w of writesOf(model.state, run.copy, run.ctx.commit())) writes.add(w);
        server.unregister(run.contextId);
      }
      const timed = mine.slice(WARMUP_RUNS, WARMUP_RUNS + options.runs);
      const perRun = [...new Set(timed.map((r) => (calls.get(r.contextId) ?? []).length))].join(' or ');
      const toolNames = [...new Set(timed.map((r) => describeTools(calls.get(r.contextId) ?? [])))].join(' | ');
      if (timing.peakKb > hookPeakKb) [hookPeakKb, hookPeakCase] = [timing.peakKb, timing.name];
      verdicts.push(report({ hook: timing.name, hookName: HOOK_NAMES[timing.name] ?? timing.name, hookTimes: timing.hookTimes, nodeTimes: timing.nodeTimes, toolCalls: perRun, toolNames, writes: [...writes], peakKb: timing.peakKb }));
    }
    const memoryRatio = hookPeakKb / nodePeakKb;
    verdicts.push({ hook: 'peak memory', ratio: memoryRatio, budget: MEMORY_BUDGET, within: memoryRatio <= MEMORY_BUDGET });
    console.log(`peak memory: highest hook run ${(hookPeakKb / 1024).toFixed(1)} MiB (${hookPeakCase}), node -e 0 ${(nodePeakKb / 1024).toFixed(1)} MiB (VmHWM, ${MEMORY_RUNS} runs each)`);
    console.log('\nfigure vs budget (ratios to node -e 0, medians side by side in this run):');
    for (const v of verdicts) {
      console.log(`  ${v.hook.padEnd(22)} ${v.ratio.toFixed(2).padStart(5)} vs ${v.budget === null ? '  —  (reference)' : `≤ ${v.budget.toFixed(1)}  ${v.within ? 'within budget' : 'OVER BUDGET'}`}`);
    }
  } finally {
    await server?.stop();
    await model?.destroy();
    if (options.keep) console.log(`kept ${work} (unpacked charm, tools, plan)`);
    else rmSync(work, { recursive: true, force: true });
  }
  if (options.check && verdicts.some((v) => !v.within)) process.exit(2);
}

main().catch((error) => {
  console.error(`bench:hook: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
