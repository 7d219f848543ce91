// Runs inside an emulated machine (its network namespace and mount view), started by bench/hook.mjs:
// times a hook's dispatch against `node -e 0`, interleaved, under identical conditions, and prints the
// raw times as JSON on stdout. Each hook run gets its own JUJU_CONTEXT_ID, registered by the caller.
//   node driver.mjs <plan.json>
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const RUN_TIMEOUT_MS = 60_000;
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function timeRun(command, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return { elapsedMs, status: result.status, signal: result.signal, stderr: result.stderr };
}

const results = [];
for (const hook of plan.hooks) {
  const options = { cwd: hook.charmDir };
  const hookTimes = [];
  const nodeTimes = [];
  const failures = [];
  hook.contextIds.forEach((contextId, i) => {
    const run = () => {
      if (hook.forget) rmSync(hook.forget, { force: true }); // outside the clock: the full converge is what is timed
      return timeRun(hook.command[0], hook.command.slice(1), { ...options, env: { ...hook.env, JUJU_CONTEXT_ID: contextId } });
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
  results.push({ name: hook.name, hookTimes, nodeTimes, failures });
}
process.stdout.write(JSON.stringify(results));
