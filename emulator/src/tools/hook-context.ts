// One hook run's context (contract §3, §4.6): answers the hook tools for one unit and one event.
// Relation data, charm state, ports and secrets written by the hook are pending until commit();
// status, leader settings, logs, the workload version and action logs change the model at once.

import type { ActionRecord, ApplicationRecord, Bag, HookEvent, LogLevel, LogLine, ModelState, PortRange, UnitRecord, WorkloadStatus } from '../model/types';
import { runError } from './errors';
import { type ChangedBag, RelationView } from './relation-view';
import { type SecretEvent, SecretStore } from './secret-store';

export interface HookContextOptions {
  state: ModelState;
  unit: string;
  event: HookEvent;
  contextId: string;
  log: (line: LogLine) => void;
  now: () => Date;
}

/** What commit() applied, for the agent to queue follow-up hooks. */
export interface CommitResult {
  /** bags whose content really changed (their bagVersions entry was bumped) */
  changedBags: ChangedBag[];
  /** leader-set changed something during the hook (applied at once; followers need leader-settings-changed) */
  leaderSettingsChanged: boolean;
  secretEvents: SecretEvent[];
}

export interface ActionOutcome {
  status: 'completed' | 'failed';
  message: string;
  /** what action-set recorded (nested maps of strings) */
  results: Record<string, unknown>;
}

type PortChange = { open: boolean; range: PortRange };

export class HookContext {
  readonly contextId: string;
  readonly unitName: string;
  readonly event: HookEvent;
  readonly relations: RelationView;
  readonly secrets: SecretStore;
  private readonly state: ModelState;
  private readonly logSink: (line: LogLine) => void;
  private readonly clock: () => Date;
  private readonly pendingState = new Map<string, string | null>(); // null deletes; "" is a value (juju state-set)
  private readonly pendingPorts: PortChange[] = [];
  private leaderSettingsChanged = false;
  private actionResults: Record<string, unknown> = {};
  private actionFailure: string | null = null;
  private closed = false;

  constructor(options: HookContextOptions) {
    this.state = options.state;
    this.unitName = options.unit;
    this.event = options.event;
    this.contextId = options.contextId;
    this.logSink = options.log;
    this.clock = options.now;
    const unit = this.unit();
    const hookRelation = this.event.kind === 'hook' ? this.event.relationId : undefined;
    this.relations = new RelationView(this.state, unit.name, unit.app, hookRelation, () => this.isLeader());
    this.secrets = new SecretStore(this.state, unit.name, unit.app, () => this.isLeader(), this.clock);
  }

  // ---- identity ----

  unit(): UnitRecord {
    const unit = this.state.units[this.unitName];
    if (!unit) throw runError(`unit "${this.unitName}" not found`);
    return unit;
  }

  application(): ApplicationRecord {
    const app = this.state.applications[this.unit().app];
    if (!app) throw runError(`application "${this.unit().app}" not found`);
    return app;
  }

  isLeader(): boolean {
    return this.application().leader === this.unitName;
  }

  now(): Date {
    return this.clock();
  }

  model(): ModelState {
    return this.state;
  }

  /** The relation of the running hook, if it is a relation hook. */
  hookRelationId(): number | undefined {
    return this.event.kind === 'hook' ? this.event.relationId : undefined;
  }

  // ---- immediate effects ----

  log(level: LogLevel, message: string, loggerSuffix = 'juju-log'): void {
    this.logSink({ time: this.clock().toISOString(), unit: this.unitName, level, logger: `unit.${this.unitName}.${loggerSuffix}`, message });
  }

  setUnitStatus(status: WorkloadStatus['status'], message: string): void {
    const unit = this.unit();
    unit.workloadStatus = { status, message, since: this.clock().toISOString() };
    unit.statusEverSet = true;
  }

  setApplicationStatus(status: WorkloadStatus['status'], message: string): void {
    this.application().status = { status, message, since: this.clock().toISOString() };
  }

  setWorkloadVersion(version: string): void {
    this.unit().workloadVersion = version;
  }

  /** Leader settings change at once; only the leader may write them. */
  setLeaderSettings(changes: ReadonlyMap<string, string>): void {
    if (!this.isLeader()) throw runError('cannot write leadership settings: cannot write settings: not the leader');
    const settings = this.application().leaderSettings;
    for (const [key, value] of changes) {
      if (value === '' ? key in settings : settings[key] !== value) this.leaderSettingsChanged = true;
      if (value === '') delete settings[key];
      else settings[key] = value;
    }
  }

  // ---- charm state (pending) ----

  charmState(): Bag {
    const out: Bag = { ...this.unit().state };
    for (const [key, value] of this.pendingState) {
      if (value === null) delete out[key];
      else out[key] = value;
    }
    return out;
  }

  /** state-set: each value kept as given, the empty string included (juju SetCharmStateValue). */
  setCharmState(changes: ReadonlyMap<string, string>): void {
    for (const [key, value] of changes) this.pendingState.set(key, value);
  }

  /** state-delete (juju DeleteCharmStateValue). */
  deleteCharmState(key: string): void {
    this.pendingState.set(key, null);
  }

  // ---- ports (pending; reads show committed ranges) ----

  changePort(open: boolean, range: PortRange): void {
    this.pendingPorts.push({ open, range });
  }

  // ---- actions ----

  action(): ActionRecord {
    const action = this.event.kind === 'action' ? this.state.actions[String(this.event.actionId)] : undefined;
    if (!action) throw runError('not running an action');
    return action;
  }

  /** action-set: writes a value at a dotted path; a later write replaces whatever was there. */
  setActionResult(path: readonly string[], value: string): void {
    this.action();
    let node: Record<string, unknown> = this.actionResults;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    });
  }

  failAction(message: string): void {
    this.action();
    this.actionFailure = message;
  }

  /** Action log lines are immediate. */
  logAction(message: string): void {
    this.action().log.push({ time: this.clock().toISOString(), message });
  }

  /**
   * The action's outcome once its process has exited: action-fail → failed with its message;
   * a non-zero exit → failed with `exit status N` (the agent discards pending writes then).
   */
  getActionOutcome(exitCode = 0): ActionOutcome {
    const results = structuredClone(this.actionResults);
    if (exitCode !== 0) return { status: 'failed', message: `exit status ${exitCode}`, results };
    if (this.actionFailure !== null) return { status: 'failed', message: this.actionFailure, results };
    return { status: 'completed', message: '', results };
  }

  // ---- commit / discard ----

  isClosed(): boolean {
    return this.closed;
  }

  /** Applies every pending write in one go (after the hook exited 0). */
  commit(): CommitResult {
    this.closed = true;
    const unit = this.state.units[this.unitName];
    if (unit) {
      unit.state = this.charmState();
      for (const change of this.pendingPorts) {
        const same = (p: PortRange): boolean => p.from === change.range.from && p.to === change.range.to && p.protocol === change.range.protocol;
        if (change.open && !unit.ports.some(same)) unit.ports.push({ ...change.range });
        if (!change.open) unit.ports = unit.ports.filter((p) => !same(p));
      }
    }
    this.pendingState.clear();
    this.pendingPorts.length = 0;
    return { changedBags: this.relations.commit(), leaderSettingsChanged: this.leaderSettingsChanged, secretEvents: this.secrets.commit() };
  }

  /** Drops every pending write (the hook failed or was killed); immediate effects stay. */
  /** A failed hook: its transactional writes are dropped; leader-set took effect at once and stays. */
  discard(): { leaderSettingsChanged: boolean } {
    this.closed = true;
    this.pendingState.clear();
    this.pendingPorts.length = 0;
    this.relations.discard();
    this.secrets.discard();
    return { leaderSettingsChanged: this.leaderSettingsChanged };
  }
}
