// Runs the handler the event table names for this event and turns the outcome into the process exit code.
// Unknown hook: logged and ignored (exit 0; Juju treats a missing hook as success too). Unknown action:
// action-fail with a clear message. A failing handler: its message at ERROR through juju-log (stderr if
// juju-log fails too) and a non-zero exit, so Juju shows the hook failed and drops its pending writes.
import type { JujuEvent } from './context';
import type { HookTools, LogLevel } from './hook-tools';

export interface DispatchServices {
  readonly event: JujuEvent;
  readonly juju: HookTools;
}

export type EventHandler<S> = (services: S) => Promise<void>;

export interface EventTable<S> {
  readonly hooks: Readonly<Record<string, EventHandler<S>>>;
  readonly actions: Readonly<Record<string, EventHandler<S>>>;
}

/** where log lines go when juju-log itself fails (main passes stderr) */
export type FallbackLog = (line: string) => void;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;

/** An error's class and message only: no stack, no properties, and nothing of a thrown non-Error value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-Error value (${typeof error}) was thrown`;
}

/** Logs through juju-log; if that fails, writes the line and juju-log's own failure to the fallback. */
export async function logSafely(juju: HookTools, level: LogLevel, message: string, fallback: FallbackLog): Promise<void> {
  try {
    await juju.log(level, message);
  } catch (error) {
    fallback(`${level} ${message}`);
    fallback(`WARNING juju-log failed: ${describeError(error)}`);
  }
}

const lookup = <S>(table: Readonly<Record<string, EventHandler<S>>>, name: string): EventHandler<S> | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

/** Dispatches one event; resolves to the exit code (it does not throw). */
export async function dispatchEvent<S extends DispatchServices>(services: S, table: EventTable<S>, fallback: FallbackLog): Promise<number> {
  const { event, juju } = services;
  const handler = lookup(event.kind === 'hook' ? table.hooks : table.actions, event.name);
  if (handler === undefined) {
    if (event.kind === 'hook') {
      await logSafely(juju, 'INFO', `hook ${event.name} has no handler in this charm: ignored`, fallback);
      return EXIT_OK;
    }
    const known = Object.keys(table.actions).sort().join(', ') || 'none';
    const message = `unknown action "${event.name}": this charm has no such action (known actions: ${known})`;
    await logSafely(juju, 'ERROR', message, fallback);
    return failAction(juju, message, fallback, EXIT_OK);
  }
  try {
    await handler(services);
    return EXIT_OK;
  } catch (error) {
    const message = `${event.kind} ${event.name} failed: ${describeError(error)}`;
    await logSafely(juju, 'ERROR', message, fallback);
    if (event.kind === 'action') return failAction(juju, message, fallback, EXIT_FAILED);
    return EXIT_FAILED;
  }
}

/** action-fail with the message; if even that fails, the non-zero exit is what marks the action failed. */
async function failAction(juju: HookTools, message: string, fallback: FallbackLog, exitCode: number): Promise<number> {
  try {
    await juju.actionFail(message);
    return exitCode;
  } catch (error) {
    fallback(`ERROR action-fail failed: ${describeError(error)}`);
    return EXIT_FAILED;
  }
}
