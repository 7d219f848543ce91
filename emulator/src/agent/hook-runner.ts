// Runs one queued operation of a unit as Juju's unit agent does (contract §1.5, §2, §4.6, §4.8):
// the charm in place, the exact environment, dispatch (or hooks/<name>), output to the unit log,
// commit on exit 0, discard and mark the unit in error otherwise.

import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { MachineBackend, RunResult } from '../machines/machine-backend';
import { afterHook, applyCommit, beforeHook, markHookFailed } from '../model/hook-effects';
import { describeEvent } from '../model/queue';
import type { ActionRecord, HookEvent, LogLevel, ModelState, UnitRecord } from '../model/types';
import type { ToolInterceptor } from '../tools/tool-server';
import { deployCharm } from './charm-copy';
import type { FaultPlan } from './faults';
import { buildHookEnv } from './hook-env';
import { unitPaths } from './paths';
import type { ToolBridge } from './tool-bridge';
import { appendUnitLog } from './unit-log';

export interface AgentDeps {
  state: ModelState;
  backend: MachineBackend;
  tools: ToolBridge;
  now: () => string;
  /** faults a test injected (tool failures, kills); absent: none */
  faults?: FaultPlan;
}

export interface RunOutcome {
  unit: string;
  event: HookEvent;
  label: string;
  ok: boolean;
}

type Handler = { kind: 'exec'; guestPath: string; via: string } | { kind: 'missing' } | { kind: 'broken'; reason: string };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// dispatch wins if present; present but not executable fails every hook; then hooks/<name> or actions/<name>
function chooseHandler(hostCharmDir: string, guestCharmDir: string, dispatchPath: string): Handler {
  if (!existsSync(path.join(hostCharmDir, 'metadata.yaml'))) return { kind: 'broken', reason: 'charm missing from disk' };
  const dispatch = path.join(hostCharmDir, 'dispatch');
  if (existsSync(dispatch)) {
    if (!isExecutable(dispatch)) return { kind: 'broken', reason: `fork/exec ${path.join(guestCharmDir, 'dispatch')}: permission denied` };
    return { kind: 'exec', guestPath: path.join(guestCharmDir, 'dispatch'), via: 'hook dispatching script: dispatch' };
  }
  const legacy = path.join(hostCharmDir, dispatchPath);
  if (!existsSync(legacy)) return { kind: 'missing' };
  if (!isExecutable(legacy)) return { kind: 'broken', reason: `fork/exec ${path.join(guestCharmDir, dispatchPath)}: permission denied` };
  return { kind: 'exec', guestPath: path.join(guestCharmDir, dispatchPath), via: dispatchPath };
}

function lineLogger(deps: AgentDeps, unit: string, logger: string, level: LogLevel): (chunk: string) => void {
  return (chunk) => {
    for (const message of chunk.split('\n')) {
      if (message !== '') appendUnitLog(deps.state.dir, { time: deps.now(), unit, level, logger, message });
    }
  };
}

function linkSocket(at: string, target: string): void {
  try {
    if (readlinkSync(at) === target) return;
  } catch {
    // not a link yet
  }
  rmSync(at, { force: true });
  symlinkSync(target, at);
}

export async function runQueuedEvent(deps: AgentDeps, unit: UnitRecord, index: number): Promise<RunOutcome> {
  const { state } = deps;
  const [event] = unit.queue.splice(index, 1);
  if (!event) throw new Error(`no queued event ${index} on ${unit.name}`);
  const label = describeEvent(event);
  const machine = state.machines[unit.machine];
  const app = state.applications[unit.app];
  if (!machine || !app) throw new Error(`unit ${unit.name} has no machine or application`);
  const action: ActionRecord | null = event.kind === 'action' ? (state.actions[String(event.actionId)] ?? null) : null;
  const hookName = event.kind === 'hook' ? event.name : (action?.name ?? 'action');
  const paths = unitPaths(machine, unit.name);
  const info = (message: string, level: LogLevel = 'INFO') =>
    appendUnitLog(state.dir, { time: deps.now(), unit: unit.name, level, logger: `juju.worker.uniter`, message });

  deployCharm(app.charm.dir, paths.hostCharmDir, event.kind === 'hook' && event.name === 'upgrade-charm');
  await deps.tools.installTools(paths.hostToolsDir);
  await deps.tools.serve(unit.name, paths.listenSocket);
  if (paths.listenSocket !== paths.hostSocket) linkSocket(paths.hostSocket, paths.listenSocket);
  beforeHook(state, unit, event, deps.now());
  unit.agentStatus = { status: 'executing', message: event.kind === 'hook' ? `running ${hookName} hook` : `running action ${hookName}`, since: deps.now() };
  if (action) action.status = 'running';

  const contextId = `${unit.name}-${hookName}-${randomBytes(16).toString('hex')}`;
  const env = buildHookEnv({ state, unit, machine, event, action, paths, contextId });
  const dispatchPath = env.JUJU_DISPATCH_PATH ?? '';
  const handler = chooseHandler(paths.hostCharmDir, paths.guestCharmDir, dispatchPath);
  const abort = new AbortController();
  let running: Promise<RunResult> | null = null;
  const kill = async (why: string): Promise<void> => {
    info(`killing the hook process (SIGKILL) ${why}: an injected fault`, 'WARNING');
    abort.abort();
    await running?.catch(() => undefined);
  };
  const interceptor = faultInterceptor(deps.faults, unit.name, hookName, kill);
  const context = deps.tools.openContext({
    state,
    unit,
    event,
    contextId,
    now: deps.now,
    log: (line) => appendUnitLog(state.dir, line),
    ...(interceptor ? { interceptor } : {}),
  });
  let exitCode = 0;
  let failure = '';
  let stdout = '';
  let stderr = '';
  try {
    if (handler.kind === 'broken') {
      exitCode = 1;
      failure = handler.reason;
    } else if (handler.kind === 'missing') {
      if (action) {
        exitCode = 1;
        failure = `action not implemented on unit "${unit.name}"`;
      } else {
        info(`skipped "${hookName}" hook (missing)`);
      }
    } else {
      const logger = `unit.${unit.name}.${hookName}`;
      running = deps.backend.run(machine, {
        argv: [handler.guestPath],
        env,
        cwd: paths.guestCharmDir,
        onStdout: lineLogger(deps, unit.name, logger, 'DEBUG'),
        onStderr: lineLogger(deps, unit.name, logger, 'WARNING'),
        signal: abort.signal,
      });
      const timed = deps.faults?.killDelayFor(unit.name, hookName) ?? null;
      let timerRang = false;
      const timer = timed === null ? null : setTimeout(() => {
        timerRang = true;
        void kill(`${timed.afterMs} ms into the hook`);
      }, timed.afterMs);
      const result = await running.finally(() => timer && clearTimeout(timer));
      // fired only if the hook died of it: one that was already ending with its own exit status was not killed
      if (timed && timerRang && result.signal) timed.fire();
      exitCode = result.exitCode;
      stdout = result.stdout;
      stderr = result.stderr;
      if (exitCode !== 0) failure = result.signal ? `terminated (${result.signal})` : `exit status ${exitCode}`;
      else info(`ran "${hookName}" ${action ? 'action' : 'hook'} (via ${handler.via})`);
    }
  } catch (err) {
    exitCode = 1;
    failure = (err as Error).message;
  } finally {
    deps.tools.closeContext(contextId);
  }

  const now = deps.now();
  if (exitCode === 0) {
    applyCommit(state, unit, context.commit());
    // Juju refreshes a unit's relation addresses only when a config-changed hook really ran and committed
    afterHook(state, unit, event, now, { skipped: handler.kind === 'missing' });
  } else {
    // leader-set took effect at once (contract §4.6): the followers still hear of it
    if (context.discard().leaderSettingsChanged) applyCommit(state, unit, { changedBags: [], leaderSettingsChanged: true });
    info(`${action ? 'action' : 'hook'} "${hookName}" failed: ${failure}`, 'ERROR');
  }
  if (action) finishAction(action, context.actionOutcome?.(exitCode) ?? null, exitCode, failure, { stdout, stderr }, now);
  if (exitCode !== 0 && event.kind === 'hook') markHookFailed(unit, event, now);
  else if (state.units[unit.name] && unit.erroredEvent === null) unit.agentStatus = { status: 'idle', message: '', since: now };
  else if (unit.erroredEvent !== null) unit.agentStatus = { status: 'error', message: unit.workloadStatus.message, since: now };
  return { unit: unit.name, event, label, ok: exitCode === 0 };
}

function faultInterceptor(faults: FaultPlan | undefined, unit: string, hook: string, kill: (why: string) => Promise<void>): ToolInterceptor | null {
  if (!faults) return null;
  return (tool, args) => {
    const verdict = faults.onToolCall(unit, hook, tool, args);
    if (verdict.kind !== 'kill') return verdict;
    return { kind: 'kill', when: verdict.when, kill: () => kill(`${verdict.when} ${tool}`) };
  };
}

type Outcome = { status: 'completed' | 'failed'; message: string; results: Record<string, unknown> };

// Juju adds return-code, stdout and stderr to what action-set recorded
function finishAction(action: ActionRecord, outcome: Outcome | null, exitCode: number, failure: string, output: { stdout: string; stderr: string }, now: string): void {
  action.completedAt = now;
  action.results = { ...action.results, ...(outcome?.results ?? {}), 'return-code': exitCode };
  if (output.stdout !== '') action.results.stdout = output.stdout;
  if (output.stderr !== '') action.results.stderr = output.stderr;
  if (exitCode !== 0) {
    action.status = 'failed';
    action.message = failure || (outcome?.message ?? `exit status ${exitCode}`);
  } else if (outcome) {
    action.status = outcome.status;
    action.message = outcome.message;
  } else {
    action.status = action.status === 'failed' ? 'failed' : 'completed';
  }
}
