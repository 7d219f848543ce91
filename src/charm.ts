// The full charm (dist/charm.js, loaded by the entry point src/main.ts): JUJU_* environment → event →
// hook tools → services → the handler from the event table → exit code.
import { createServices } from './adapters';
import { eventTable } from './events';
import { readJujuEvent, type JujuEvent } from './juju/context';
import { EXIT_FAILED, describeError, dispatchEvent, logSafely, type FallbackLog } from './juju/dispatcher';
import { ExecHookTools } from './juju/exec-hook-tools';
import type { ToolRunner } from './juju/tool-runner';

const toStderr: FallbackLog = (line) => {
  process.stderr.write(`${line}\n`);
};

// node:child_process loads when a hook first runs a tool: update-status's quick path runs none
const runTool: ToolRunner = async (tool, args, opts) => (await import('./juju/child-process-runner')).childProcessRunner(tool, args, opts);

export async function runCharm(env: NodeJS.ProcessEnv): Promise<number> {
  const juju = new ExecHookTools(runTool, { jujuVersion: env.JUJU_VERSION, path: env.PATH });
  let event: JujuEvent;
  try {
    event = readJujuEvent(env);
  } catch (error) {
    const message = `cannot start: ${describeError(error)}`;
    // without JUJU_CONTEXT_ID no hook tool can work: do not even try juju-log
    if (env.JUJU_CONTEXT_ID) await logSafely(juju, 'ERROR', message, toStderr);
    else toStderr(`ERROR ${message}`);
    return EXIT_FAILED;
  }
  try {
    return await dispatchEvent(createServices(event, juju, env), eventTable, toStderr);
  } catch (error) {
    // createServices failed (dispatchEvent itself never throws)
    await logSafely(juju, 'ERROR', `${event.kind} ${event.name} failed: ${describeError(error)}`, toStderr);
    return EXIT_FAILED;
  }
}
