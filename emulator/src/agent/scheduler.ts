// The unit agents of a model, as one scheduler (contract §4.1): each unit runs one operation at a
// time, each machine one hook at a time across its units (Juju's machine lock: a principal and its
// subordinates share it; actions take it too unless declared `parallel: true`), many units at once,
// at most `parallelism` operations model-wide. Every settle, runNext and action shares this one
// scheduler, so an action queued while a hook runs waits for it and sees what it committed.

import os from 'node:os';
import { resolveUnit } from '../model/operations';
import { describeEvent, nextEventIndex } from '../model/queue';
import type { HookEvent, ModelState, UnitRecord } from '../model/types';
import { FaultPlan } from './faults';
import { runQueuedEvent, type AgentDeps, type RunOutcome } from './hook-runner';

export class HookStormError extends Error {
  constructor(
    readonly unit: string,
    readonly recent: string[],
  ) {
    super(`hook storm on ${unit}: more than the allowed hooks without going idle; last hooks: ${recent.join(' → ')}`);
    this.name = 'HookStormError';
  }
}

/** A unit's next runnable operation, as the scheduler sees it. */
export interface PendingOperation {
  unit: string;
  machine: string;
  event: HookEvent;
  /** e.g. `config-changed`, `lxd-relation-changed (nova-compute/0)`, `action 3` */
  label: string;
  /** false while the unit runs something or its machine lock is held by a neighbour */
  ready: boolean;
}

/**
 * Which ready operation runs next. 'round-robin' (the default) runs many units at once and lets the
 * units of a machine take turns at its lock. A function makes the model run one operation at a time,
 * the one it returns (null: stop this settle here), so a test can walk every legal interleaving.
 */
export type OrderPolicy = 'round-robin' | ((ready: readonly PendingOperation[]) => PendingOperation | null);

export interface SettleOptions {
  /** at most this many operations per unit in one settle before it counts as a storm */
  maxHooks?: number;
  onEvent?: (outcome: RunOutcome) => void;
  /** run only operations of these units (e.g. an action's unit) */
  units?: string[];
  order?: OrderPolicy;
  /**
   * Juju 3 retries a failed hook by itself (automatically-retry-hooks, 5 s backoff up to 5 min): with
   * this set, a failed hook is re-run up to this many times, without the backoff. Default 0: a failed
   * hook leaves the unit in error until `resolve`.
   */
  retryFailedHooks?: number;
}

export interface SettleReport {
  ran: RunOutcome[];
  failed: RunOutcome[];
}

/** The default bound on operations running at once: the cores this process may use. */
export function defaultParallelism(): number {
  const fromEnv = Number(process.env.JUJU_EMULATOR_PARALLELISM);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, os.availableParallelism());
}

/** Whether an operation needs the machine lock (juju uniter: hooks always; actions unless parallel). */
function needsMachineLock(state: ModelState, unit: UnitRecord, event: HookEvent): boolean {
  if (event.kind === 'hook') return true;
  const action = state.actions[String(event.actionId)];
  const meta = action ? state.applications[unit.app]?.charm.actions[action.name] : undefined;
  return !(meta?.parallel === true && (meta.executionGroup ?? '') === '');
}

interface Driver {
  only: Set<string> | null;
  opts: SettleOptions;
  counts: Map<string, number>;
  recent: Map<string, string[]>;
  retries: Map<string, number>;
  report: SettleReport;
  failure: unknown;
  stopped: boolean;
  done: (result: SettleReport | Error) => void;
}

export class Scheduler {
  private readonly running = new Map<string, { machine: string; locked: boolean; job: Promise<RunOutcome | null> }>();
  private readonly drivers = new Set<Driver>();
  private readonly rotation = new Map<string, number>();
  private readonly lastTurn = new Map<string, number>();
  private turns = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly deps: AgentDeps,
    private readonly afterEach: () => void = () => undefined,
    readonly parallelism: number = defaultParallelism(),
  ) {}

  /** Faults injected into the hooks this scheduler runs. */
  get faults(): FaultPlan {
    this.deps.faults ??= new FaultPlan();
    return this.deps.faults;
  }

  private get state(): ModelState {
    return this.deps.state;
  }

  private machineLocked(machine: string): boolean {
    return [...this.running.values()].some((r) => r.machine === machine && r.locked);
  }

  /** Each unit's next runnable operation (one per unit), ready or waiting for its unit or machine. */
  pendingOperations(): PendingOperation[] {
    const out: PendingOperation[] = [];
    for (const unit of Object.values(this.state.units).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      const index = nextEventIndex(unit);
      const event = unit.queue[index];
      if (index < 0 || !event) continue;
      const busy = this.running.has(unit.name);
      const blocked = needsMachineLock(this.state, unit, event) && this.machineLocked(unit.machine);
      out.push({ unit: unit.name, machine: unit.machine, event, label: describeEvent(event), ready: !busy && !blocked });
    }
    return out;
  }

  /** Every unit's queue as it stands, in the order its agent would pick (the next one first). */
  queuedOperations(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const unit of Object.values(this.state.units)) {
      const copy: UnitRecord = { ...unit, queue: [...unit.queue] };
      const labels: string[] = [];
      for (let i = nextEventIndex(copy); i >= 0; i = nextEventIndex(copy)) {
        const [event] = copy.queue.splice(i, 1);
        if (event) labels.push(describeEvent(event));
      }
      if (labels.length > 0) out[unit.name] = labels;
    }
    return out;
  }

  /** Whether this unit runs an operation now. */
  isRunning(unitName: string): boolean {
    return this.running.has(unitName);
  }

  /** Whether anything is running now. */
  busy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves at the next change (an operation started or finished). */
  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private start(op: PendingOperation): Promise<RunOutcome | null> {
    const unit = this.state.units[op.unit];
    if (!unit) return Promise.resolve(null);
    const index = nextEventIndex(unit);
    const event = unit.queue[index];
    if (index < 0 || !event) return Promise.resolve(null);
    const locked = needsMachineLock(this.state, unit, event);
    const job = runQueuedEvent(this.deps, unit, index).then(
      (outcome) => {
        this.running.delete(op.unit);
        this.finished(outcome);
        this.afterEach();
        this.wake();
        this.pump();
        return outcome;
      },
      (err: unknown) => {
        this.running.delete(op.unit);
        for (const driver of this.drivers) if (this.wants(driver, op.unit)) driver.failure ??= err;
        this.wake();
        this.pump();
        throw err;
      },
    );
    this.running.set(op.unit, { machine: op.machine, locked, job });
    this.wake();
    return job;
  }

  private wants(driver: Driver, unit: string): boolean {
    return !driver.stopped && driver.failure === null && (driver.only === null || driver.only.has(unit));
  }

  private finished(outcome: RunOutcome): void {
    for (const driver of this.drivers) {
      if (driver.only !== null && !driver.only.has(outcome.unit)) continue;
      driver.report.ran.push(outcome);
      if (!outcome.ok) driver.report.failed.push(outcome);
      const count = (driver.counts.get(outcome.unit) ?? 0) + 1;
      driver.counts.set(outcome.unit, count);
      const list = [...(driver.recent.get(outcome.unit) ?? []), outcome.label].slice(-8);
      driver.recent.set(outcome.unit, list);
      if (count >= (driver.opts.maxHooks ?? 500) && driver.failure === null) driver.failure = new HookStormError(outcome.unit, list);
      driver.opts.onEvent?.(outcome);
      this.maybeRetry(driver, outcome);
    }
  }

  private maybeRetry(driver: Driver, outcome: RunOutcome): void {
    const allowed = driver.opts.retryFailedHooks ?? 0;
    const unit = this.state.units[outcome.unit];
    if (outcome.ok || outcome.event.kind !== 'hook' || allowed <= 0 || !unit || unit.erroredEvent === null) return;
    const key = `${outcome.unit} ${outcome.label}`;
    const tries = driver.retries.get(key) ?? 0;
    if (tries >= allowed) return;
    driver.retries.set(key, tries + 1);
    resolveUnit(this.state, outcome.unit, {}, this.deps.now());
  }

  /** The policy in force: the newest settle that asked for one, else round-robin. */
  private policy(): OrderPolicy {
    let chosen: OrderPolicy = 'round-robin';
    for (const driver of this.drivers) if (driver.opts.order && driver.opts.order !== 'round-robin') chosen = driver.opts.order;
    return chosen;
  }

  /** Starts what may start now, for the settles in progress; finishes the settles that are done. */
  private pump(): void {
    const policy = this.policy();
    const wanted = (op: PendingOperation) => [...this.drivers].some((d) => this.wants(d, op.unit));
    if (typeof policy === 'function') {
      if (this.running.size === 0) {
        const ready = this.pendingOperations().filter((op) => op.ready && wanted(op));
        const pick = ready.length > 0 ? policy(ready) : null;
        if (pick && ready.some((op) => op.unit === pick.unit)) void this.start(pick).catch(() => undefined);
        else if (ready.length > 0) for (const d of this.drivers) if (d.opts.order === policy) d.stopped = true;
      }
    } else {
      for (;;) {
        if (this.running.size >= this.parallelism) break;
        const ready = this.pendingOperations().filter((op) => op.ready && wanted(op));
        const op = this.roundRobin(ready);
        if (!op) break;
        void this.start(op).catch(() => undefined);
      }
    }
    this.finishDrivers();
  }

  // the machine that waited longest goes first; within a machine, its units take turns at the lock
  private roundRobin(ready: readonly PendingOperation[]): PendingOperation | null {
    const byMachine = new Map<string, PendingOperation[]>();
    for (const op of ready) byMachine.set(op.machine, [...(byMachine.get(op.machine) ?? []), op]);
    const waited = (m: string) => this.lastTurn.get(m) ?? -1;
    const machines = [...byMachine.keys()].sort((a, b) => waited(a) - waited(b) || Number(a) - Number(b) || a.localeCompare(b));
    const machine = machines[0];
    if (machine === undefined) return null;
    this.lastTurn.set(machine, (this.turns += 1));
    const candidates = byMachine.get(machine) ?? [];
    const turn = this.rotation.get(machine) ?? 0;
    this.rotation.set(machine, turn + 1);
    return candidates[turn % candidates.length] ?? null;
  }

  private finishDrivers(): void {
    for (const driver of [...this.drivers]) {
      const mine = (unit: string) => driver.only === null || driver.only.has(unit);
      const stillRunning = [...this.running.keys()].some(mine);
      if (stillRunning) continue;
      const halted = driver.stopped || driver.failure !== null;
      const more = this.pendingOperations().some((op) => mine(op.unit));
      if (more && !halted) continue;
      this.drivers.delete(driver);
      this.wake();
      driver.done(driver.failure !== null ? (driver.failure instanceof Error ? driver.failure : new Error(String(driver.failure))) : driver.report);
    }
  }

  /** Runs pending operations (of `opts.units`, or all) until none is left. Joins any settle in progress. */
  settle(opts: SettleOptions = {}): Promise<SettleReport> {
    return new Promise<SettleReport>((resolve, reject) => {
      const driver: Driver = {
        only: opts.units ? new Set(opts.units) : null,
        opts,
        counts: new Map(),
        recent: new Map(),
        retries: new Map(),
        report: { ran: [], failed: [] },
        failure: null,
        stopped: false,
        done: (result) => (result instanceof Error ? reject(result) : resolve(result)),
      };
      this.drivers.add(driver);
      // Juju's retry timer also covers a unit already in error when this settle starts
      if ((opts.retryFailedHooks ?? 0) > 0) {
        for (const unit of Object.values(this.state.units)) {
          const failed = unit.erroredEvent;
          if (failed?.kind !== 'hook' || !this.wants(driver, unit.name) || this.running.has(unit.name)) continue;
          driver.retries.set(`${unit.name} ${describeEvent(failed)}`, 1);
          resolveUnit(this.state, unit.name, {}, this.deps.now());
        }
      }
      this.pump();
    });
  }

  /**
   * Runs the next operation of one unit (waiting for the unit and its machine lock), nothing else;
   * null when the unit has nothing runnable. For tests that play an interleaving step by step.
   */
  async runNext(unitName: string): Promise<RunOutcome | null> {
    for (;;) {
      const op = this.pendingOperations().find((p) => p.unit === unitName);
      if (!op) {
        if (!this.running.has(unitName)) return null;
      } else if (op.ready) {
        return this.start(op);
      }
      await this.changed();
    }
  }

  /** Waits until nothing runs (settles in progress finish their work first). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.drivers.size > 0) await this.changed();
  }
}
