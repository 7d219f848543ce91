// `npm run bench:hook`: start-up cost of a hook of the PACKED charm (build/lxd.charm), run as a real
// process the way Juju runs it (exact JUJU_* environment, cwd = charm dir, dispatch exec'd directly,
// PATH starting with stub hook tools), interleaved with `node -e 0` under the same conditions.
// Prints medians and the ratio of medians against the budget. A benchmark, not a test: it reports,
// and exits non-zero only when the hook itself fails (or, with --check, when over budget).
//
//   node bench/hook.mjs [--runs N] [--hooks update-status,config-changed,ignored-event]
//                       [--lxd-socket PATH] [--check] [--keep]
//
// update-status and config-changed run the charm's converge, which reads LXD (and config-changed
// acts on LXD and the host). The hook sees LXD_SOCKET=<--lxd-socket>, by default a path with no
// daemon behind it, so that no hook ever touches this machine's own LXD by accident: then the charm
// waits for LXD and the run times out with a clear message. Give --lxd-socket of a settled LXD (an
// emulator machine's) to measure the converged, no-change path. config-changed is off by default.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifact = join(root, 'build', 'lxd.charm');
const BUDGETS = { 'update-status': 1.5, 'config-changed': 2.0, 'ignored-event': 1.5 };
// 'ignored-event' is a hook the charm does not handle: the pure start-up path (read the event, log
// that it is ignored, exit), measurable on any machine.
const HOOK_NAMES = { 'ignored-event': 'bench-ignored-event' };
const RUN_TIMEOUT_MS = 20_000;

class HookTimeout extends Error {}
const WARMUP_RUNS = 3;

function parseArgs(argv) {
  const options = { runs: 30, hooks: ['ignored-event', 'update-status'], check: false, keep: false, lxdSocket: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--runs') options.runs = Number(argv[(i += 1)]);
    else if (arg === '--hooks') options.hooks = String(argv[(i += 1)]).split(',').filter(Boolean);
    else if (arg === '--check') options.check = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--lxd-socket') options.lxdSocket = String(argv[(i += 1)]);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 3) throw new Error('--runs must be an integer >= 3');
  const unknown = options.hooks.filter((hook) => !(hook in BUDGETS));
  if (unknown.length > 0) throw new Error(`no budget known for hook(s) ${unknown.join(', ')}; known: ${Object.keys(BUDGETS).join(', ')}`);
  return options;
}

function unpackCharm(dir) {
  if (!existsSync(artifact)) throw new Error(`${artifact} does not exist: run \`npm run pack\` first`);
  const unzip = spawnSync('unzip', ['-q', artifact, '-d', dir], { encoding: 'utf8' });
  if (unzip.error) throw new Error(`cannot run unzip (apt-get install unzip): ${unzip.error.message}`);
  if (unzip.status !== 0) throw new Error(`unzip failed: ${unzip.stderr}`);
}

// Canned --format=json answers, as a unit of lxd/0 under nova-compute/0 would get them.
function cannedAnswers(charmDir) {
  const config = YAML.parse(readFileSync(join(charmDir, 'config.yaml'), 'utf8'))?.options ?? {};
  const defaults = Object.fromEntries(Object.entries(config).filter(([, o]) => o.default != null).map(([k, o]) => [k, o.default]));
  const address = '10.0.0.5';
  return {
    'config-get': JSON.stringify(defaults),
    'is-leader': 'true',
    'relation-ids': { lxd: '["lxd:1"]', container: '["container:2"]', 'lxd-migration': '["lxd-migration:0"]', '*': '[]' },
    'relation-list': '[]',
    'relation-get': JSON.stringify({ 'egress-subnets': `${address}/32`, 'ingress-address': address, 'private-address': address }),
    'leader-get': '{}',
    'state-get': '{}',
    'status-get': '{"message":"Unit is ready","status":"active","status-data":{}}',
    'unit-get': JSON.stringify(address),
    'network-get': JSON.stringify({
      'bind-addresses': [{ 'mac-address': '00:16:3e:aa:bb:cc', 'interface-name': 'eth0', addresses: [{ hostname: '', value: address, cidr: '10.0.0.0/24' }] }],
      'egress-subnets': [`${address}/32`], 'ingress-addresses': [address],
    }),
    'secret-ids': '[]',
    'opened-ports': '[]',
    'action-get': '{}',
  };
}

const SILENT_TOOLS = ['relation-set', 'leader-set', 'status-set', 'application-version-set', 'juju-log', 'state-set',
  'state-delete', 'action-set', 'action-fail', 'action-log', 'open-port', 'close-port', 'secret-add', 'secret-get',
  'secret-set', 'secret-grant', 'secret-revoke', 'secret-remove', 'secret-info-get'];

const shellQuote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;

// One /bin/sh script, linked under every tool name (Juju's tools are symlinks to jujud too):
// it records its argv in $BENCH_TOOL_LOG and prints the canned answer for its name.
function writeStubTools(toolsDir, answers) {
  mkdirSync(toolsDir);
  const cases = Object.entries(answers).map(([tool, answer]) => {
    if (typeof answer === 'string') return `  ${tool}) printf '%s\\n' ${shellQuote(answer)} ;;`;
    const byEndpoint = Object.entries(answer).map(([endpoint, value]) => `      ${endpoint === '*' ? '*' : `*' ${endpoint} '*`}) printf '%s\\n' ${shellQuote(value)} ;;`);
    return `  ${tool})\n    case " $* " in\n${byEndpoint.join('\n')}\n    esac ;;`;
  });
  const script = `#!/bin/sh
tool=\${0##*/}
[ -n "$BENCH_TOOL_LOG" ] && printf '%s %s\\n' "$tool" "$*" >> "$BENCH_TOOL_LOG"
case "$tool" in
${cases.join('\n')}
  *) ;;
esac
exit 0
`;
  const stub = join(toolsDir, '.stub-tool');
  writeFileSync(stub, script);
  chmodSync(stub, 0o755);
  for (const tool of [...Object.keys(answers), ...SILENT_TOOLS]) symlinkSync('.stub-tool', join(toolsDir, tool));
}

// Exactly the variables Juju sets (contract section 2): nothing inherited but PATH's tail.
function hookEnvironment(charmDir, toolsDir, hook, toolLog, lxdSocket) {
  const relation = /^(.*)-relation-[a-z]+$/.exec(hook)?.[1];
  return {
    CHARM_DIR: charmDir, JUJU_CHARM_DIR: charmDir,
    JUJU_CONTEXT_ID: `lxd/0-${hook}-${randomBytes(16).toString('hex')}`,
    JUJU_HOOK_NAME: hook, JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_AGENT_SOCKET_ADDRESS: '@/var/lib/juju/agents/unit-lxd-0/agent.socket', JUJU_AGENT_SOCKET_NETWORK: 'unix',
    JUJU_UNIT_NAME: 'lxd/0', JUJU_MODEL_UUID: randomUUID(), JUJU_MODEL_NAME: 'openstack',
    JUJU_API_ADDRESSES: '10.0.0.2:17070', JUJU_MACHINE_ID: '0', JUJU_PRINCIPAL_UNIT: 'nova-compute/0',
    JUJU_AVAILABILITY_ZONE: '', JUJU_VERSION: '3.6.4', CLOUD_API_VERSION: '',
    JUJU_CHARM_HTTP_PROXY: '', JUJU_CHARM_HTTPS_PROXY: '', JUJU_CHARM_FTP_PROXY: '', JUJU_CHARM_NO_PROXY: '',
    ...(relation ? { JUJU_RELATION: relation, JUJU_RELATION_ID: `${relation}:1`, JUJU_REMOTE_UNIT: '', JUJU_REMOTE_APP: 'nova-compute' } : {}),
    PATH: `${toolsDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    LANG: 'C.UTF-8', TERM: 'screen',
    BENCH_TOOL_LOG: toolLog,
    LXD_SOCKET: lxdSocket, // not set by Juju: points the charm at the LXD to use (see the header)
  };
}

function timeRun(command, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error && result.error.code === 'ETIMEDOUT') {
    throw new HookTimeout(`${args.length ? `${command} ${args.join(' ')}` : command} did not finish in ${RUN_TIMEOUT_MS / 1000} s`
      + ' (a converging hook waits for LXD: pass --lxd-socket of a settled LXD daemon)');
  }
  if (result.error) throw result.error;
  return { elapsedMs, status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

function summariseToolCalls(toolLog) {
  if (!existsSync(toolLog)) return 'none';
  const counts = new Map();
  for (const line of readFileSync(toolLog, 'utf8').split('\n').filter(Boolean)) {
    const tool = line.split(' ')[0];
    counts.set(tool, (counts.get(tool) ?? 0) + 1);
  }
  return [...counts].map(([tool, n]) => `${tool}×${n}`).join(', ') || 'none';
}

function benchHook(hook, runs, workDir, lxdSocket) {
  const charmDir = join(workDir, `charm-${hook}`);
  mkdirSync(charmDir);
  unpackCharm(charmDir);
  const toolsDir = join(workDir, `tools-${hook}`);
  writeStubTools(toolsDir, cannedAnswers(charmDir));
  const toolLog = join(workDir, `tool-calls-${hook}.log`);
  const env = hookEnvironment(charmDir, toolsDir, HOOK_NAMES[hook] ?? hook, toolLog, lxdSocket);
  const dispatch = join(charmDir, 'dispatch');
  const spawnOptions = { cwd: charmDir, env };

  const first = timeRun(dispatch, [], spawnOptions);
  if (first.status !== 0) {
    throw new Error(`${hook} failed (exit ${first.status ?? first.signal}):\n${first.stderr || first.stdout}`);
  }
  const oneRunCalls = summariseToolCalls(toolLog);

  const hookTimes = [];
  const nodeTimes = [];
  for (let i = 0; i < WARMUP_RUNS + runs; i += 1) {
    // Interleaved, alternating which goes first, so drift and cache effects hit both sides alike.
    const pair = i % 2 === 0
      ? [timeRun('node', ['-e', '0'], spawnOptions), timeRun(dispatch, [], spawnOptions)]
      : [timeRun(dispatch, [], spawnOptions), timeRun('node', ['-e', '0'], spawnOptions)].reverse();
    const [baseline, run] = pair;
    if (run.status !== 0) throw new Error(`${hook} failed on run ${i + 1} (exit ${run.status ?? run.signal}):\n${run.stderr}`);
    if (i < WARMUP_RUNS) continue;
    nodeTimes.push(baseline.elapsedMs);
    hookTimes.push(run.elapsedMs);
  }
  const ratio = median(hookTimes) / median(nodeTimes);
  return { hook, runs, hookTimes, nodeTimes, ratio, budget: BUDGETS[hook], oneRunCalls };
}

function report(result) {
  const f = (ms) => `${ms.toFixed(1)} ms`;
  const line = (label, times) => `  ${label.padEnd(22)} median ${f(median(times)).padStart(9)}   p10 ${f(percentile(times, 10)).padStart(9)}   p90 ${f(percentile(times, 90)).padStart(9)}`;
  const verdict = result.ratio <= result.budget ? 'within budget' : 'OVER BUDGET';
  console.log(`hook ${result.hook}: ${result.runs} interleaved runs each (after ${WARMUP_RUNS} warm-up pairs)`);
  console.log(line('node -e 0', result.nodeTimes));
  console.log(line(`dispatch (${result.hook})`, result.hookTimes));
  console.log(`  ratio of medians: ${result.ratio.toFixed(2)} (budget ${result.budget.toFixed(1)}): ${verdict}`);
  console.log(`  hook tools called by one run: ${result.oneRunCalls}`);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const workDir = mkdtempSync(join(tmpdir(), 'lxd-bench-hook-'));
  let overBudget = false;
  try {
    console.log(`packed charm: ${artifact}; node ${process.version}`);
    for (const hook of options.hooks) {
      let result;
      try {
        result = benchHook(hook, options.runs, workDir, options.lxdSocket ?? join(workDir, 'no-lxd-here.socket'));
      } catch (error) {
        // Without an LXD to read, a converging hook waits for one: that is not measurable here, not a failure.
        if (!(error instanceof HookTimeout) || options.lxdSocket) throw error;
        console.log(`hook ${hook}: not measured: it waits for an LXD daemon and this run has none (give --lxd-socket PATH of a settled LXD)`);
        continue;
      }
      report(result);
      overBudget ||= result.ratio > result.budget;
    }
    const skipped = ['config-changed'].filter((hook) => !options.hooks.includes(hook));
    for (const hook of skipped) {
      console.log(`hook ${hook}: not run (it acts on this machine's LXD and host; opt in with --hooks ${[...options.hooks, hook].join(',')})`);
    }
  } finally {
    if (options.keep) console.log(`kept ${workDir} (unpacked charm, stub tools, tool-call logs)`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  if (options.check && overBudget) process.exit(2);
}

try {
  main();
} catch (error) {
  console.error(`bench:hook: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
