// The typed API over a model: operations (pure transitions in operations.ts), machines through a
// MachineBackend, hooks through the unit agent, state persisted in the model directory.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { deployCharm } from '../agent/charm-copy';
import type { RunOutcome } from '../agent/hook-runner';
import { AGENT_PATH } from '../agent/hook-env';
import { Scheduler, type PendingOperation, type SettleOptions, type SettleReport } from '../agent/scheduler';
import type { HookKillSpec, ToolFailureSpec, FiredFault } from '../agent/faults';
import type { ToolBridge } from '../agent/tool-bridge';
import { readUnitLog } from '../agent/unit-log';
import type { BootReport } from '../machines/boot';
import type { MachineBackend, RunResult } from '../machines/machine-backend';
import { chooseMachineAddress, queueAddressChanged } from './addresses';
import { loadCharm } from './charm-loader';
import { addUnitRecord } from './lifecycle';
import { bagVersionKey } from '../tools/relation-view';
import { afterHook, applyCommit } from './hook-effects';
import { enqueueHook } from './queue';
import {
  addUnits,
  deployApp,
  emptyModel,
  getApp,
  pendingSubordinates,
  queueAction,
  queueUpdateStatus,
  relateApps,
  removeUnit,
  resolveUnit,
  setConfig,
  setLeader,
  unrelateApps,
  upgradeApp,
} from './operations';
import { emulatorHome, loadState, modelDirOf, saveState, stateFile } from './persistence';
import { statusTable, statusView, type StatusView } from './status-view';
import { getUnit, ModelError } from './topology';
import { attachResource, declaredResources } from './resources';
import { beginDetach, checkCanAdd, checkDirectives, detachedStorage, nextStorageId, recordAttached, type StorageDirective } from './storage';
import type { ActionRecord, ApplicationRecord, Bag, ConfigValue, MachineRecord, ModelState } from './types';

export type BackendKind = MachineRecord['backend'];

export interface ModelOptions {
  name: string;
  backend?: BackendKind | MachineBackend;
  /** parent of model directories; default $JUJU_EMULATOR_HOME or /var/lib/juju-emulator */
  home?: string;
  tools?: ToolBridge;
  clock?: () => string;
  /** operations running at once across the model (default os.availableParallelism(), or $JUJU_EMULATOR_PARALLELISM) */
  parallelism?: number;
}

export interface DeployOptions {
  config?: Record<string, ConfigValue>;
  /** principal units to add (one machine each); subordinates get none */
  units?: number;
  machineOptions?: Partial<ApplicationRecord['machineOptions']>;
  /** file resources uploaded with the deploy (`juju deploy --resource name=file`): name → file */
  resources?: Record<string, string>;
  /** `--storage local=loop,1G`: Juju storage every unit of the app gets (attached before install) */
  storage?: readonly StorageDirective[];
}

async function backendFor(kind: BackendKind | MachineBackend): Promise<MachineBackend> {
  if (typeof kind !== 'string') return kind;
  if (kind === 'local') {
    const { LocalMachines } = await import('../machines/local');
    return new LocalMachines();
  }
  const { NamespaceMachines } = await import('../machines/namespace');
  return new NamespaceMachines();
}

async function defaultTools(): Promise<ToolBridge> {
  const { createToolBridge } = await import('../agent/tools-adapter');
  return createToolBridge();
}

export class Model {
  private readonly scheduler: Scheduler;

  private constructor(
    readonly state: ModelState,
    readonly backend: MachineBackend,
    private readonly tools: ToolBridge,
    private readonly clock: () => string,
    parallelism?: number,
  ) {
    this.scheduler = new Scheduler({ state, backend, tools, now: clock }, () => this.save(), parallelism);
  }

  /** Makes a new model; leftovers of a crashed model of the same name are cleaned up first. */
  static async create(opts: ModelOptions): Promise<Model> {
    const dir = modelDirOf(opts.name, opts.home ?? emulatorHome());
    if (existsSync(stateFile(dir))) {
      throw new ModelError(`model "${opts.name}" already exists at ${dir}; open it or destroy it first`);
    }
    const backend = await backendFor(opts.backend ?? 'namespace');
    await backend.ensurePrerequisites();
    await backend.cleanupLeftovers(opts.name, dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const state = emptyModel(opts.name, dir);
    state.backend = backend.kind;
    const model = new Model(state, backend, opts.tools ?? (await defaultTools()), opts.clock ?? (() => new Date().toISOString()), opts.parallelism);
    model.save();
    return model;
  }

  static async open(name: string, opts: Omit<ModelOptions, 'name'> = {}): Promise<Model> {
    const dir = modelDirOf(name, opts.home ?? emulatorHome());
    const state = loadState(dir);
    const kind = opts.backend ?? state.backend ?? Object.values(state.machines)[0]?.backend ?? 'namespace';
    const backend = await backendFor(kind);
    return new Model(state, backend, opts.tools ?? (await defaultTools()), opts.clock ?? (() => new Date().toISOString()), opts.parallelism);
  }

  save(): void {
    if (existsSync(this.state.dir)) saveState(this.state);
  }

  private now(): string {
    return this.clock();
  }

  private async newMachine(app: ApplicationRecord): Promise<MachineRecord> {
    const id = String(this.state.counters.machine);
    this.state.counters.machine += 1;
    this.save();
    const machine = await this.backend.create({
      modelName: this.state.name,
      modelDir: this.state.dir,
      id,
      loopDevices: app.machineOptions.loopDevices,
      loopSizeGiB: app.machineOptions.loopSizeGiB,
      lxd: app.machineOptions.lxd,
      lxdPackaging: app.machineOptions.lxdPackaging,
      snapdVersion: app.machineOptions.snapdVersion,
      nodejs: app.machineOptions.nodejs,
    });
    this.state.machines[id] = machine;
    this.save();
    return machine;
  }

  private addPendingSubordinates(): void {
    for (const sub of pendingSubordinates(this.state)) addUnitRecord(this.state, sub.app, sub.machine, sub.principal, this.now());
  }

  private copyCharm(source: string, appName: string, revision: number) {
    const charmsDir = path.join(this.state.dir, 'charms');
    mkdirSync(charmsDir, { recursive: true });
    const loaded = loadCharm(source, charmsDir, revision);
    const target = path.join(charmsDir, `${appName}-${revision}`);
    if (loaded.dir !== target) {
      deployCharm(loaded.dir, target, true);
      if (loaded.dir.startsWith(`${charmsDir}/`)) rmSync(loaded.dir, { recursive: true, force: true });
    }
    return { ...loaded, dir: target };
  }

  async deploy(name: string, charmSource: string, opts: DeployOptions = {}): Promise<void> {
    if (this.state.applications[name]) throw new ModelError(`application "${name}" already exists`);
    const charm = this.copyCharm(charmSource, name, 0);
    // refused before anything is recorded: no half-deployed application
    checkDirectives(charm.meta, opts.storage ?? []);
    const declared = declaredResources(charm);
    for (const resource of Object.keys(opts.resources ?? {})) {
      if (!declared[resource]) throw new ModelError(`invalid resource name "${resource}": charm "${charm.meta.name}" declares no such resource`);
    }
    const app = deployApp(this.state, { name, charm, config: opts.config ?? {}, machineOptions: opts.machineOptions ?? {} });
    for (const [resource, file] of Object.entries(opts.resources ?? {})) attachResource(this.state, name, resource, file);
    if (opts.storage?.length) app.storageDirectives = Object.fromEntries(opts.storage.map((d) => [d.name, { count: d.count, sizeBytes: d.sizeBytes }]));
    this.save();
    if (!charm.meta.subordinate) await this.addUnit(name, opts.units ?? 1);
  }

  async addUnit(appName: string, count = 1): Promise<string[]> {
    const app = getApp(this.state, appName);
    if (app.charm.meta.subordinate) throw new ModelError(`cannot add units to subordinate application "${appName}"`);
    if (!Number.isInteger(count) || count < 1) throw new ModelError(`number of units must be a positive integer, got ${count}`);
    // machines come up in parallel (each may start an LXD daemon); units are numbered in machine order
    const settled = await Promise.allSettled(Array.from({ length: count }, () => this.newMachine(app)));
    const machines = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const added = addUnits(this.state, appName, machines.sort((a, b) => Number(a.id) - Number(b.id)).map((m) => m.id), this.now());
    this.addPendingSubordinates();
    this.save();
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw new ModelError(`could not create every machine for "${appName}" (${added.length} of ${count} units added): ${String((failed.reason as Error).message ?? failed.reason)}`);
    return added;
  }

  removeUnit(unitName: string): void {
    removeUnit(this.state, unitName);
    this.save();
  }

  relate(a: string, b: string): number {
    const relation = relateApps(this.state, a, b);
    this.addPendingSubordinates();
    this.save();
    return relation.id;
  }

  unrelate(a: string, b: string): void {
    unrelateApps(this.state, a, b);
    this.save();
  }

  /** Returns whether any value really changed (only then config-changed is queued). */
  config(appName: string, changes: Record<string, ConfigValue | null>): boolean {
    const changed = setConfig(this.state, appName, changes);
    this.save();
    return changed;
  }

  setLeader(unitName: string): void {
    setLeader(this.state, unitName);
    this.save();
  }

  upgrade(appName: string, charmSource: string): void {
    const app = getApp(this.state, appName);
    const charm = this.copyCharm(charmSource, appName, app.charm.revision + 1);
    upgradeApp(this.state, appName, charm);
    this.save();
  }

  /** `juju attach-resource`: a new revision of a file resource; its units run upgrade-charm, config-changed. */
  attachResource(appName: string, name: string, file: string): void {
    attachResource(this.state, appName, name, file);
    this.save();
  }

  updateStatus(units?: string[]): void {
    queueUpdateStatus(this.state, units);
    this.save();
  }

  resolve(unitName: string, opts: { noRetry?: boolean } = {}): void {
    const unit = getUnit(this.state, unitName);
    const skipped = resolveUnit(this.state, unitName, opts, this.now());
    // a skipped hook counts as done: its follow-ups (e.g. start after config-changed) still run
    if (skipped) afterHook(this.state, unit, skipped, this.now(), { skipped: true });
    this.save();
  }

  /**
   * Plays a unit's side of a relation (tests, demos): its own bag on `endpoint` becomes `bag`, committed
   * as if a hook of that unit had written it, so the units that joined it get -relation-changed exactly
   * as Juju queues them. The unit's own charm runs no hook. How a test makes a peer hostile or legacy.
   */
  writeUnitBag(unitName: string, endpoint: string, bag: Bag): void {
    const unit = getUnit(this.state, unitName);
    const relation = Object.values(this.state.relations).find((r) => r.life === 'alive' && r.endpoints.some((e) => e.app === unit.app && e.endpoint === endpoint));
    if (!relation) throw new ModelError(`${unitName} has no live relation on endpoint "${endpoint}"`);
    const before = JSON.stringify(relation.unitBags[unitName] ?? {});
    relation.unitBags[unitName] = { ...bag };
    if (JSON.stringify(bag) !== before) {
      const key = bagVersionKey(unitName, false);
      relation.bagVersions[key] = (relation.bagVersions[key] ?? 0) + 1;
      applyCommit(this.state, unit, { changedBags: [{ relationId: relation.id, owner: unitName, isApp: false }], leaderSettingsChanged: false });
    }
    this.save();
  }

  /**
   * Moves a machine to another address on its subnet (`address`, or the highest free one), as a cloud
   * re-addressing a machine would; queues config-changed on every unit on it, as Juju does. The units'
   * relation address keys follow when that config-changed commits. Returns the new address.
   */
  async changeMachineAddress(machineId: string, address?: string): Promise<string> {
    const machine = this.state.machines[machineId];
    if (!machine) throw new ModelError(`machine "${machineId}" not found`);
    if (!this.backend.changeAddress) throw new ModelError(`the ${this.backend.kind} machine backend cannot change a machine's address`);
    const chosen = chooseMachineAddress(this.state, machineId, address);
    this.state.machines[machineId] = await this.backend.changeAddress(machine, chosen);
    queueAddressChanged(this.state, machineId);
    this.save();
    return chosen;
  }

  /**
   * Queues an action, runs the model until idle and returns the action's record. The action takes its
   * turn on the unit like any operation: queued while a hook runs, it runs after that hook and sees
   * what the hook committed.
   */
  async run(unitName: string, actionName: string, params: Record<string, unknown> = {}, opts: SettleOptions = {}): Promise<ActionRecord> {
    const action = queueAction(this.state, unitName, actionName, params, this.now());
    this.save();
    await this.settle(opts);
    return this.state.actions[String(action.id)] ?? action;
  }

  /**
   * Runs every pending hook and action across the model until nothing is left: one operation at a
   * time per unit and per machine, many machines at once (see `parallelism`). Calls made while another
   * settle runs join it. `order` chooses the interleaving, `retryFailedHooks` retries as Juju does.
   */
  async settle(opts: SettleOptions = {}): Promise<SettleReport> {
    try {
      await this.provisionStorage();
      const report = await this.scheduler.settle(opts);
      // a device whose -storage-detaching hook succeeded goes now; nothing more runs for it
      if (!this.scheduler.busy() && (await this.reapStorage())) return await this.scheduler.settle(opts);
      return report;
    } finally {
      if (!this.scheduler.busy()) await this.reapMachines();
      this.save();
    }
  }

  /** Units the app's storage directives were not provisioned for yet (new units): loop devices, then -storage-attached. */
  private async provisionStorage(): Promise<void> {
    for (const unit of Object.values(this.state.units)) {
      if (unit.storageProvisioned || unit.life === 'dying' || unit.life === 'dead') continue;
      const directives = this.state.applications[unit.app]?.storageDirectives ?? {};
      for (const [name, d] of Object.entries(directives)) {
        for (let i = 0; i < d.count; i++) await this.attachStorageTo(unit.name, name, d.sizeBytes);
      }
      unit.storageProvisioned = true;
      this.save();
    }
  }

  private async attachStorageTo(unitName: string, name: string, sizeBytes: number): Promise<string> {
    const unit = getUnit(this.state, unitName);
    const machine = this.state.machines[unit.machine];
    if (!machine) throw new ModelError(`machine "${unit.machine}" not found`);
    if (!this.backend.attachStorage) throw new ModelError(`the ${this.backend.kind} machine backend cannot attach storage`);
    const id = nextStorageId(this.state, name);
    const { machine: updated, loop } = await this.backend.attachStorage(machine, id.replace('/', '-'), sizeBytes);
    this.state.machines[machine.id] = updated;
    recordAttached(this.state, unit, { id, name, unit: unitName, kind: 'block', location: loop.device, file: loop.file, sizeBytes, life: 'attaching' });
    this.save();
    return id;
  }

  /** `juju add-storage <unit> local=loop,1G`: new instances, each attached and announced with -storage-attached. */
  async addStorage(unitName: string, directive: StorageDirective): Promise<string[]> {
    checkCanAdd(this.state, unitName, directive.name, directive.count);
    const ids: string[] = [];
    for (let i = 0; i < directive.count; i++) ids.push(await this.attachStorageTo(unitName, directive.name, directive.sizeBytes));
    return ids;
  }

  /** `juju detach-storage <id>`: the unit's -storage-detaching runs; the device goes once it succeeded (settle). */
  detachStorage(id: string): void {
    beginDetach(this.state, id);
    this.save();
  }

  /** Detaches the devices of instances whose -storage-detaching has run; whether any went. */
  private async reapStorage(): Promise<boolean> {
    const gone = detachedStorage(this.state);
    for (const record of gone) {
      const unit = this.state.units[record.unit];
      const machine = unit ? this.state.machines[unit.machine] : undefined;
      if (machine && this.backend.detachStorage) this.state.machines[machine.id] = await this.backend.detachStorage(machine, record.location);
      delete this.state.storage?.[record.id];
      this.save();
    }
    return gone.length > 0;
  }

  /** Each unit's next runnable operation, and whether it could start now (its unit and machine lock free). */
  pendingHooks(): PendingOperation[] {
    return this.scheduler.pendingOperations();
  }

  /** Every unit's queued operations in the order its agent would pick them. */
  queuedHooks(): Record<string, string[]> {
    return this.scheduler.queuedOperations();
  }

  /** Runs only the next operation of `unitName` (after what its unit and machine are running); null if it has none. */
  async runNext(unitName: string): Promise<RunOutcome | null> {
    getUnit(this.state, unitName);
    try {
      return await this.scheduler.runNext(unitName);
    } finally {
      this.save();
    }
  }

  /**
   * Reboots a machine (by id, or the machine of a unit) as a real one would: LXD and everything else on
   * it stop, volume groups go inactive, loop devices software on it attached are gone; then what its
   * init system starts at boot (its enabled units) and LXD start, and each unit on it gets `start`,
   * as Juju's agent runs it after a reboot. Refused while one of its units runs an operation.
   */
  async reboot(target: string): Promise<BootReport> {
    const machineId = target.includes('/') ? getUnit(this.state, target).machine : target;
    const machine = this.state.machines[machineId];
    if (!machine) throw new ModelError(`machine "${target}" not found`);
    if (!this.backend.reboot) throw new ModelError(`the ${this.backend.kind} machine backend cannot reboot a machine`);
    const units = Object.values(this.state.units).filter((u) => u.machine === machineId);
    const busy = units.filter((u) => this.scheduler.isRunning(u.name)).map((u) => u.name);
    if (busy.length > 0) throw new ModelError(`machine ${machineId} is running an operation of ${busy.join(', ')}; reboot it when they are idle`);
    const { machine: rebooted, report } = await this.backend.reboot(machine);
    this.state.machines[machineId] = rebooted;
    for (const unit of units) if (unit.life !== 'dying') enqueueHook(unit, { name: 'start' });
    this.save();
    return report;
  }

  /**
   * Makes a hook tool of a unit fail as Juju's do when their agent call fails (`ERROR <message>` on
   * stderr, exit 1), for the next `times` calls (default 1); the calls after that run normally.
   */
  injectToolFailure(spec: ToolFailureSpec): void {
    getUnit(this.state, spec.unit);
    this.scheduler.faults.injectToolFailure(spec);
  }

  /**
   * SIGKILLs a unit's hook process (and its process group) at a chosen point: on the Nth call of a
   * tool (`when` before it runs, or after it took effect), or `afterMs` into the hook. The hook fails
   * as a killed hook does in Juju (nothing it wrote transactionally is kept); once, then spent.
   */
  killHookAt(spec: HookKillSpec): void {
    getUnit(this.state, spec.unit);
    this.scheduler.faults.killHookAt(spec);
  }

  /** Faults injected so far that fired, in order; `clearFaults` drops the ones still armed. */
  firedFaults(): readonly FiredFault[] {
    return this.scheduler.faults.fired;
  }

  clearFaults(): void {
    this.scheduler.faults.clear();
  }

  /** Machines whose units are all gone are removed, as `juju remove-unit` does. */
  private async reapMachines(): Promise<void> {
    for (const machine of Object.values(this.state.machines)) {
      if (Object.values(this.state.units).some((u) => u.machine === machine.id)) continue;
      await this.backend.destroy(machine);
      delete this.state.machines[machine.id];
    }
  }

  status(): StatusView {
    return statusView(this.state);
  }

  statusTable(): string {
    return statusTable(this.status());
  }

  /** Runs a command on a machine (by id, or the machine of a unit), as root or as a user of it. */
  async exec(target: string, argv: string[], opts: { user?: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const machineId = target.includes('/') ? getUnit(this.state, target).machine : target;
    const machine = this.state.machines[machineId];
    if (!machine) throw new ModelError(`machine "${target}" not found`);
    const env = opts.env ?? { PATH: AGENT_PATH, LANG: 'C.UTF-8', HOME: opts.user && opts.user !== 'root' ? await this.homeOf(machine, opts.user) : '/root' };
    const req = { argv, env, cwd: '/', ...(opts.user ? { user: opts.user } : {}), ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
    return this.backend.run(machine, req);
  }

  /** a user's home on a machine, from its own passwd database (nova's is /var/lib/nova) */
  private async homeOf(machine: MachineRecord, user: string): Promise<string> {
    const entry = await this.backend.run(machine, { argv: ['getent', 'passwd', user], env: { PATH: AGENT_PATH, LANG: 'C.UTF-8' }, cwd: '/' });
    return (entry.exitCode === 0 ? entry.stdout.trim().split(':')[5] : undefined) || `/home/${user}`;
  }

  debugLog(unitName?: string): string {
    const units = unitName ? [unitName] : Object.keys(this.state.units).sort();
    if (unitName && !this.state.units[unitName] && readUnitLog(this.state.dir, unitName) === '') throw new ModelError(`unit "${unitName}" not found`);
    return units.map((u) => readUnitLog(this.state.dir, u)).join('');
  }

  /** Removes everything the model made: machines (daemons, namespaces, loops), the tool sockets, its directory. */
  async destroy(): Promise<void> {
    const errors: string[] = [];
    for (const machine of Object.values(this.state.machines)) {
      try {
        await this.backend.destroy(machine);
      } catch (err) {
        errors.push(`machine ${machine.id}: ${(err as Error).message}`);
      }
    }
    try {
      await this.backend.cleanupLeftovers(this.state.name, this.state.dir);
    } catch (err) {
      errors.push(`leftovers: ${(err as Error).message}`);
    }
    await this.tools.close();
    if (errors.length > 0) {
      this.save();
      throw new ModelError(`destroy of model "${this.state.name}" left problems: ${errors.join('; ')}`);
    }
    rmSync(this.state.dir, { recursive: true, force: true });
  }

  /** Closes the tool sockets without touching machines (the CLI between commands). */
  async close(): Promise<void> {
    this.save();
    await this.tools.close();
  }
}

export type { RunOutcome };
