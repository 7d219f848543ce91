// Runs inside an emulated machine (its network namespace and mount view), started by bench/hook.mjs:
// times a hook's dispatch against `node -e 0`, interleaved, under identical conditions, then measures
// peak memory in separate runs, and prints the raw figures as JSON on stdout. Each hook run gets its own
// JUJU_CONTEXT_ID, registered by the caller; a hook's `prepare` runs (untimed) before each of its runs.
//   node driver.mjs <plan.json>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUN_TIMEOUT_MS = 60_000;
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'bench-hook-driver-'));

function timeRun(command, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return { elapsedMs, status: result.status, signal: result.signal, stderr: result.stderr };
}

let peakFiles = 0;
/** The run's env with the peak-RSS preload; returns the env and a reader of the VmHWM it wrote (kB). */
function withPeakRss(env) {
  const file = join(scratch, `peak-${(peakFiles += 1)}`);
  const existing = env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ` : '';
  return { env: { ...env, NODE_OPTIONS: `${existing}--require=${plan.peakRss}`, BENCH_PEAK_RSS_FILE: file }, read: () => Math.max(0, ...readFileSync(file, 'utf8').trim().split('\n').map(Number)) };
}

const results = [];
let nodePeakKb = 0;
try {
  for (const hook of plan.hooks) {
    const options = { cwd: hook.charmDir };
    const hookTimes = [];
    const nodeTimes = [];
    const failures = [];
    let peakKb = 0;
    const timedRuns = hook.contextIds.length - plan.memoryRuns;
    hook.contextIds.forEach((contextId, i) => {
      const prepare = () => {
        if (hook.forget) rmSync(hook.forget, { force: true }); // outside the clock: the full converge is what is timed
        if (!hook.prepare) return;
        const p = timeRun(hook.prepare.command[0], hook.prepare.command.slice(1), { ...options, env: { ...hook.prepare.env, JUJU_CONTEXT_ID: hook.prepare.contextIds[i] } });
        if (p.status !== 0) failures.push(`prepare ${i}: exit ${p.status ?? p.signal}: ${p.stderr.slice(0, 2000)}`);
      };
      const env = { ...hook.env, JUJU_CONTEXT_ID: contextId };
      if (i >= timedRuns) {
        // memory runs: not timed (the preload costs a little), the hook and node -e 0 alike
        prepare();
        const h = withPeakRss(env);
        const hookRun = timeRun(hook.command[0], hook.command.slice(1), { ...options, env: h.env });
        if (hookRun.status !== 0) failures.push(`memory run ${i}: exit ${hookRun.status ?? hookRun.signal}: ${hookRun.stderr.slice(0, 2000)}`);
        else peakKb = Math.max(peakKb, h.read());
        const n = withPeakRss(hook.env);
        timeRun(process.execPath, ['-e', '0'], { ...options, env: n.env });
        nodePeakKb = Math.max(nodePeakKb, n.read());
        return;
      }
      const run = () => {
        prepare();
        return timeRun(hook.command[0], hook.command.slice(1), { ...options, env });
      };
      const baseline = () => timeRun(process.execPath, ['-e', '0'], { ...options, env: hook.env });
      // alternate which goes first, so drift and cache effects hit both sides alike
      const [h, n] = i % 2 === 0 ? [run(), baseline()] : [undefined, baseline()];
      const hookRun = h ?? run();
      if (hookRun.status !== 0) failures.push(`run ${i}: exit ${hookRun.status ?? hookRun.signal}: ${hookRun.stderr.slice(0, 2000)}`);
      if (i < plan.warmup) return;
      hookTimes.push(hookRun.elapsedMs);
      nodeTimes.push(n.elapsedMs);
    });
    results.push({ name: hook.name, hookTimes, nodeTimes, failures, peakKb });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ results, nodePeakKb }));
