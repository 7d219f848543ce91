// The operator's operations as pure transitions of ModelState. Machine creation is the caller's
// (async, through a MachineBackend); everything here only records data and queues hooks.

import { randomUUID } from 'node:crypto';
import { addUnitRecord, beginRelationRemoval, beginUnitRemoval, electLeader, queueCreated } from './lifecycle';
import { checkConfigChanges, effectiveConfig, validateActionParams } from './params';
import { enqueueHook } from './queue';
import { getUnit, ModelError, participates, unitsOfApp } from './topology';
import type {
  ActionRecord,
  ApplicationRecord,
  CharmInfo,
  ConfigValue,
  EndpointMeta,
  HookEvent,
  ModelState,
  RelationEndpointRef,
  RelationRecord,
} from './types';

const APP_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function emptyModel(name: string, dir: string): ModelState {
  return {
    name,
    uuid: randomUUID(),
    dir,
    machines: {},
    applications: {},
    units: {},
    relations: {},
    secrets: {},
    actions: {},
    counters: { machine: 0, relation: 0, action: 0 },
  };
}

export function getApp(state: ModelState, name: string): ApplicationRecord {
  const app = state.applications[name];
  if (!app) throw new ModelError(`application "${name}" not found`);
  return app;
}

function newRelation(state: ModelState, endpoints: RelationEndpointRef[], iface: string, scope: RelationRecord['scope']): RelationRecord {
  const id = state.counters.relation;
  state.counters.relation += 1;
  const key = endpoints.map((e) => `${e.app}:${e.endpoint}`).sort().join(' ');
  const relation: RelationRecord = {
    id,
    key,
    interface: iface,
    scope,
    endpoints,
    appBags: Object.fromEntries(endpoints.map((e) => [e.app, {}])),
    unitBags: {},
    joined: {},
    created: [],
    seenVersions: {},
    bagVersions: {},
    inScope: [],
    life: 'alive',
  };
  state.relations[String(id)] = relation;
  return relation;
}

export interface DeployRequest {
  name: string;
  charm: CharmInfo;
  config?: Record<string, ConfigValue>;
  machineOptions?: Partial<ApplicationRecord['machineOptions']>;
}

/** Records an application (and its peer relations, which exist from deploy). Units come separately. */
export function deployApp(state: ModelState, req: DeployRequest): ApplicationRecord {
  if (!APP_NAME.test(req.name)) throw new ModelError(`invalid application name "${req.name}"`);
  if (state.applications[req.name]) throw new ModelError(`application "${req.name}" already exists`);
  const config = req.config ?? {};
  checkConfigChanges(req.charm.config, config);
  const app: ApplicationRecord = {
    name: req.name,
    charm: req.charm,
    config: { ...config },
    leader: null,
    leaderSettings: {},
    status: null,
    nextUnitNumber: 0,
    machineOptions: { loopDevices: 0, loopSizeGiB: 2, lxd: true, ...req.machineOptions },
  };
  state.applications[req.name] = app;
  for (const ep of Object.values(req.charm.meta.endpoints).filter((e) => e.role === 'peer')) {
    newRelation(state, [{ app: req.name, endpoint: ep.name, role: 'peer' }], ep.interface, ep.scope);
  }
  return app;
}

const IMPLICIT_JUJU_INFO: EndpointMeta = { name: 'juju-info', role: 'provider', interface: 'juju-info', scope: 'global' };

function parseSpec(spec: string): { app: string; endpoint: string | null } {
  const [app, endpoint, ...rest] = spec.split(':');
  if (!app || rest.length > 0 || endpoint === '') throw new ModelError(`invalid endpoint "${spec}"`);
  return { app, endpoint: endpoint ?? null };
}

function candidates(state: ModelState, spec: { app: string; endpoint: string | null }, implicit: boolean): EndpointMeta[] {
  const app = getApp(state, spec.app);
  const eps = Object.values(app.charm.meta.endpoints).filter((e) => e.role !== 'peer');
  if (implicit) eps.push(IMPLICIT_JUJU_INFO);
  return eps.filter((e) => spec.endpoint === null || e.name === spec.endpoint);
}

function compatible(a: EndpointMeta, b: EndpointMeta): boolean {
  return a.interface === b.interface && ((a.role === 'provider' && b.role === 'requirer') || (a.role === 'requirer' && b.role === 'provider'));
}

/** Resolves `juju integrate a b`: explicit endpoints win over the implicit juju-info. */
export function resolveEndpoints(state: ModelState, specA: string, specB: string): [RelationEndpointRef, RelationEndpointRef, EndpointMeta, EndpointMeta] {
  const a = parseSpec(specA);
  const b = parseSpec(specB);
  if (a.app === b.app) throw new ModelError(`cannot relate application "${a.app}" to itself`);
  for (const implicit of [false, true]) {
    const pairs: Array<[EndpointMeta, EndpointMeta]> = [];
    for (const ea of candidates(state, a, implicit)) {
      for (const eb of candidates(state, b, implicit)) if (compatible(ea, eb)) pairs.push([ea, eb]);
    }
    if (pairs.length > 1) {
      const list = pairs.map(([x, y]) => `"${a.app}:${x.name} ${b.app}:${y.name}"`).join(', ');
      throw new ModelError(`ambiguous relation: "${specA} ${specB}" could refer to ${list}`);
    }
    const pair = pairs[0];
    if (pair) {
      const [ea, eb] = pair;
      return [
        { app: a.app, endpoint: ea.name, role: ea.role },
        { app: b.app, endpoint: eb.name, role: eb.role },
        ea,
        eb,
      ];
    }
  }
  throw new ModelError(`no relations found between "${specA}" and "${specB}"`);
}

/** Records a relation and queues -created on the units already there; subordinates come from pendingSubordinates. */
export function relateApps(state: ModelState, specA: string, specB: string): RelationRecord {
  const [refA, refB, ea, eb] = resolveEndpoints(state, specA, specB);
  const key = [refA, refB].map((e) => `${e.app}:${e.endpoint}`).sort().join(' ');
  if (Object.values(state.relations).some((r) => r.key === key)) throw new ModelError(`relation ${key} already exists`);
  const scope = ea.scope === 'container' || eb.scope === 'container' ? 'container' : 'global';
  const appA = getApp(state, refA.app);
  const appB = getApp(state, refB.app);
  // two subordinates may relate in container scope too (their units meet where they share a principal)
  if (scope === 'container' && ![appA, appB].some((x) => x.charm.meta.subordinate)) {
    throw new ModelError(`container-scoped relation ${key} needs a subordinate application`);
  }
  const relation = newRelation(state, [refA, refB], ea.interface, scope);
  for (const unit of Object.values(state.units)) {
    if (unit.life !== 'dying' && participates(state, relation, unit)) queueCreated(state, relation, unit);
  }
  return relation;
}

export function findRelation(state: ModelState, specA: string, specB: string): RelationRecord {
  const [refA, refB] = resolveEndpoints(state, specA, specB);
  const key = [refA, refB].map((e) => `${e.app}:${e.endpoint}`).sort().join(' ');
  const relation = Object.values(state.relations).find((r) => r.key === key && r.life === 'alive');
  if (!relation) throw new ModelError(`relation "${specA} ${specB}" not found`);
  return relation;
}

/** Removes a relation; returns subordinate units that lost their principal and must go too. */
export function unrelateApps(state: ModelState, specA: string, specB: string): string[] {
  const relation = findRelation(state, specA, specB);
  const orphans = beginRelationRemoval(state, relation);
  for (const orphan of orphans) beginUnitRemoval(state, orphan);
  return orphans;
}

export function addUnits(state: ModelState, appName: string, machines: string[], now: string): string[] {
  const app = getApp(state, appName);
  if (app.charm.meta.subordinate) throw new ModelError(`cannot add units to subordinate application "${appName}"`);
  const added = machines.map((machine) => addUnitRecord(state, appName, machine, null, now).name);
  return added;
}

/** New subordinate units for principals that have none yet (after relate or add-unit). */
export function pendingSubordinates(state: ModelState): Array<{ app: string; principal: string; machine: string }> {
  const out: Array<{ app: string; principal: string; machine: string }> = [];
  for (const relation of Object.values(state.relations)) {
    if (relation.scope !== 'container' || relation.endpoints.length !== 2 || relation.life !== 'alive') continue;
    const sub = relation.endpoints.map((e) => state.applications[e.app]).find((a) => a?.charm.meta.subordinate);
    const principalApp = relation.endpoints.find((e) => e.app !== sub?.name)?.app;
    // between two subordinates no unit is made: they meet where both already are
    if (!sub || !principalApp || state.applications[principalApp]?.charm.meta.subordinate) continue;
    for (const principal of unitsOfApp(state, principalApp)) {
      const has = Object.values(state.units).some((u) => u.app === sub.name && u.principal === principal.name);
      if (!has) out.push({ app: sub.name, principal: principal.name, machine: principal.machine });
    }
  }
  return out;
}

export function removeUnit(state: ModelState, unitName: string): void {
  const unit = getUnit(state, unitName);
  if (unit.principal !== null) {
    throw new ModelError(`unit "${unitName}" is a subordinate; remove the relation or its principal instead`);
  }
  beginUnitRemoval(state, unitName);
}

/** Applies config changes (null resets to default); queues config-changed where a value really changed. */
export function setConfig(state: ModelState, appName: string, changes: Record<string, ConfigValue | null>): boolean {
  const app = getApp(state, appName);
  checkConfigChanges(app.charm.config, changes);
  const before = JSON.stringify(effectiveConfig(app.charm.config, app.config));
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete app.config[key];
    else app.config[key] = value;
  }
  const changed = JSON.stringify(effectiveConfig(app.charm.config, app.config)) !== before;
  if (changed) for (const unit of unitsOfApp(state, appName)) enqueueHook(unit, { name: 'config-changed' });
  return changed;
}

export function setLeader(state: ModelState, unitName: string): void {
  const unit = getUnit(state, unitName);
  if (unit.life === 'dying') throw new ModelError(`unit "${unitName}" is being removed`);
  electLeader(state, unit.app, unitName);
}

export function upgradeApp(state: ModelState, appName: string, charm: CharmInfo): void {
  const app = getApp(state, appName);
  if (charm.meta.name !== app.charm.meta.name) {
    throw new ModelError(`cannot upgrade "${appName}" from charm "${app.charm.meta.name}" to "${charm.meta.name}"`);
  }
  for (const relation of Object.values(state.relations)) {
    const ref = relation.endpoints.find((e) => e.app === appName);
    if (ref && !charm.meta.endpoints[ref.endpoint] && ref.endpoint !== 'juju-info') {
      throw new ModelError(`cannot upgrade "${appName}": endpoint "${ref.endpoint}" is in use by relation ${relation.key}`);
    }
  }
  app.charm = { ...charm, revision: app.charm.revision + 1 };
  for (const key of Object.keys(app.config)) if (!charm.config[key]) delete app.config[key];
  for (const unit of unitsOfApp(state, appName)) {
    enqueueHook(unit, { name: 'upgrade-charm' });
    enqueueHook(unit, { name: 'config-changed' });
  }
}

export function queueAction(state: ModelState, unitName: string, actionName: string, params: Record<string, unknown>, now: string): ActionRecord {
  const unit = getUnit(state, unitName);
  const app = getApp(state, unit.app);
  const meta = app.charm.actions[actionName];
  if (!meta) throw new ModelError(`action "${actionName}" not defined on unit "${unitName}"`);
  const checked = validateActionParams(meta, params);
  const id = state.counters.action + 1;
  state.counters.action = id;
  const action: ActionRecord = {
    id,
    unit: unitName,
    name: actionName,
    params: checked,
    status: 'pending',
    message: '',
    results: {},
    log: [],
    enqueuedAt: now,
    completedAt: null,
  };
  state.actions[String(id)] = action;
  unit.queue.push({ kind: 'action', actionId: id });
  return action;
}

export function queueUpdateStatus(state: ModelState, unitNames?: string[]): void {
  const units = unitNames ? unitNames.map((n) => getUnit(state, n)) : Object.values(state.units);
  for (const unit of units) if (unit.life !== 'dying') enqueueHook(unit, { name: 'update-status' });
}

/** `juju resolve`: re-run the failed hook (or, with noRetry, skip it and carry on with the queue). */
export function resolveUnit(state: ModelState, unitName: string, opts: { noRetry?: boolean }, now: string): HookEvent | null {
  const unit = getUnit(state, unitName);
  const failed = unit.erroredEvent;
  if (!failed) throw new ModelError(`unit "${unitName}" is not in an error state`);
  unit.erroredEvent = null;
  unit.workloadStatus = unit.statusBeforeError ?? { status: 'unknown', message: '', since: now };
  unit.workloadStatus = { ...unit.workloadStatus, since: now };
  unit.statusBeforeError = null;
  unit.agentStatus = { status: 'idle', message: '', since: now };
  if (opts.noRetry) return failed;
  if (failed.kind === 'hook') unit.queue.unshift({ ...failed, retry: true });
  return null;
}
