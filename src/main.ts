// The charm's entry point and the only file that touches `process`: JUJU_* environment → event → hook
// tools → services → the handler from the event table → exit code.
import { createServices } from './adapters';
import { eventTable } from './events';
import { readJujuEvent, type JujuEvent } from './juju/context';
import { EXIT_FAILED, describeError, dispatchEvent, logSafely, type FallbackLog } from './juju/dispatcher';
import { execaRunner } from './juju/execa-runner';
import { ExecHookTools } from './juju/exec-hook-tools';

const toStderr: FallbackLog = (line) => {
  process.stderr.write(`${line}\n`);
};

async function main(env: NodeJS.ProcessEnv): Promise<number> {
  const juju = new ExecHookTools(execaRunner);
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

// The hook ends when its handler does: a timer or socket left behind must not keep Juju waiting (hooks
// have no timeout). stdout/stderr are synchronous on Linux pipes and files, so nothing is cut off.
main(process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    toStderr(`ERROR ${describeError(error)}`);
    process.exit(EXIT_FAILED);
  },
);
