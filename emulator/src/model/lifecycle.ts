// Pure state transitions of unit and relation lifecycles, and the hooks each one queues
// (contract §4.2–4.5, 4.9). The agent calls back into here when a hook has run.

import { enqueueHook } from './queue';
import {
  byUnitNumber,
  endpointOf,
  getUnit,
  isPeer,
  ModelError,
  relationsOfUnit,
  remoteAppOf,
  remotesOf,
  unitsOfApp,
} from './topology';
import type { ModelState, RelationRecord, UnitRecord } from './types';

export function stamp(now: string, status: string, message: string) {
  return { status, message, since: now };
}

export function writeAutoKeys(state: ModelState, relation: RelationRecord, unit: UnitRecord): void {
  const machine = state.machines[unit.machine];
  const address = machine?.address ?? '';
  const bag = (relation.unitBags[unit.name] ??= {});
  const auto = { 'private-address': address, 'ingress-address': address, 'egress-subnets': address ? `${address}/32` : '' };
  let changed = false;
  for (const [key, value] of Object.entries(auto)) {
    if (bag[key] !== value) {
      bag[key] = value;
      changed = true;
    }
  }
  if (changed) relation.bagVersions[unit.name] = (relation.bagVersions[unit.name] ?? 0) + 1;
}

/** Queues `-relation-created` on a unit for a relation, and pre-fills its bag. */
export function queueCreated(state: ModelState, relation: RelationRecord, unit: UnitRecord): void {
  writeAutoKeys(state, relation, unit);
  enqueueHook(unit, {
    name: `${endpointOf(relation, unit.app)}-relation-created`,
    relationId: relation.id,
    remoteUnit: '',
    remoteApp: remoteAppOf(relation, unit.app),
  });
}

function queueJoined(relation: RelationRecord, observer: UnitRecord, remote: UnitRecord): void {
  const endpoint = endpointOf(relation, observer.app);
  const common = { relationId: relation.id, remoteUnit: remote.name, remoteApp: remote.app };
  enqueueHook(observer, { name: `${endpoint}-relation-joined`, ...common });
  enqueueHook(observer, { name: `${endpoint}-relation-changed`, ...common });
}

/** A unit enters a relation's scope once it has run -created and start: pairs with units already in scope join. */
export function enterScope(state: ModelState, relation: RelationRecord, unit: UnitRecord): void {
  const scope = (relation.inScope ??= []);
  if (scope.includes(unit.name) || relation.life !== 'alive' || unit.life === 'dying') return;
  scope.push(unit.name);
  for (const remote of remotesOf(state, relation, unit)) {
    if (!scope.includes(remote.name)) continue;
    queueJoined(relation, unit, remote);
    queueJoined(relation, remote, unit);
  }
}

function dropPendingAbout(unit: UnitRecord, relationId: number, remote: string): void {
  unit.queue = unit.queue.filter(
    (e) => !(e.kind === 'hook' && e.relationId === relationId && e.remoteUnit === remote && /-(joined|changed)$/.test(e.name)),
  );
}

/** Two units stop seeing each other: each side that had joined the other gets -departed. */
function depart(relation: RelationRecord, observer: UnitRecord, remote: UnitRecord, departing: string): void {
  dropPendingAbout(observer, relation.id, remote.name);
  if (!(relation.joined[observer.name] ?? []).includes(remote.name)) return;
  const pending = observer.queue.some(
    (e) => e.kind === 'hook' && e.relationId === relation.id && e.remoteUnit === remote.name && e.name.endsWith('-relation-departed'),
  );
  if (pending) return;
  enqueueHook(observer, {
    name: `${endpointOf(relation, observer.app)}-relation-departed`,
    relationId: relation.id,
    remoteUnit: remote.name,
    remoteApp: remote.app,
    departingUnit: departing,
  });
}

/** A unit leaves a relation's scope; `departing` is the unit whose going causes it (JUJU_DEPARTING_UNIT). */
export function leaveScope(state: ModelState, relation: RelationRecord, unit: UnitRecord, departingOf: (remote: UnitRecord) => string): void {
  const scope = relation.inScope ?? [];
  relation.inScope = scope.filter((n) => n !== unit.name);
  for (const remote of remotesOf(state, relation, unit)) {
    const departing = departingOf(remote);
    depart(relation, remote, unit, departing);
    depart(relation, unit, remote, departing);
  }
}

export function queueBroken(relation: RelationRecord, unit: UnitRecord): void {
  if (isPeer(relation) || !relation.created.includes(unit.name)) return;
  enqueueHook(unit, {
    name: `${endpointOf(relation, unit.app)}-relation-broken`,
    relationId: relation.id,
    remoteUnit: '',
    remoteApp: remoteAppOf(relation, unit.app),
  });
}

/** Adds a unit record on a machine and queues Juju's "new unit" sequence (contract §4.2). */
export function addUnitRecord(state: ModelState, appName: string, machineId: string, principal: string | null, now: string): UnitRecord {
  const app = state.applications[appName];
  if (!app) throw new ModelError(`application "${appName}" not found`);
  const name = `${appName}/${app.nextUnitNumber}`;
  app.nextUnitNumber += 1;
  const unit: UnitRecord = {
    name,
    app: appName,
    machine: machineId,
    principal,
    workloadStatus: { status: 'waiting', message: 'waiting for machine', since: now },
    agentStatus: { status: 'allocating', message: '', since: now },
    workloadVersion: '',
    state: {},
    ports: [],
    erroredEvent: null,
    queue: [],
    life: 'installing',
    statusEverSet: false,
    charmRevision: app.charm.revision,
    statusBeforeError: null,
  };
  state.units[name] = unit;
  enqueueHook(unit, { name: 'install' });
  for (const relation of relationsOfUnit(state, unit)) {
    if (relation.life === 'alive') queueCreated(state, relation, unit);
  }
  if (app.leader === null) {
    app.leader = name;
    enqueueHook(unit, { name: 'leader-elected' });
  } else {
    enqueueHook(unit, { name: 'leader-settings-changed' });
  }
  enqueueHook(unit, { name: 'config-changed' });
  enqueueHook(unit, { name: 'start' });
  return unit;
}

/** Moves leadership: the new leader gets leader-elected, every other unit leader-settings-changed. */
export function electLeader(state: ModelState, appName: string, newLeader: string | null): void {
  const app = state.applications[appName];
  if (!app) throw new ModelError(`application "${appName}" not found`);
  const candidates = unitsOfApp(state, appName);
  const chosen = newLeader ?? candidates.map((u) => u.name).sort(byUnitNumber)[0] ?? null;
  if (chosen !== null && !candidates.some((u) => u.name === chosen)) {
    throw new ModelError(`unit "${chosen}" is not an alive unit of "${appName}"`);
  }
  if (app.leader === chosen) return;
  app.leader = chosen;
  for (const unit of candidates) {
    enqueueHook(unit, { name: unit.name === chosen ? 'leader-elected' : 'leader-settings-changed' });
  }
}

/**
 * Starts a unit's removal: its subordinates go first; each relation it is in gets -departed on both
 * sides (JUJU_DEPARTING_UNIT = this unit), then -broken for non-peer relations, then stop and remove.
 */
export function beginUnitRemoval(state: ModelState, unitName: string): void {
  const unit = getUnit(state, unitName);
  if (unit.life === 'dying') return;
  for (const sub of Object.values(state.units).filter((u) => u.principal === unitName)) {
    beginUnitRemoval(state, sub.name);
  }
  unit.life = 'dying';
  unit.queue = unit.queue.filter((e) => e.kind === 'action' || /-relation-(departed|broken)$/.test(e.kind === 'hook' ? e.name : ''));
  const relations = relationsOfUnit(state, unit);
  // peers first, as in contract §4.4: the peer relation's departures, then the others
  relations.sort((a, b) => Number(!isPeer(a)) - Number(!isPeer(b)) || a.id - b.id);
  for (const relation of relations) leaveScope(state, relation, unit, () => unit.name);
  for (const relation of relations) queueBroken(relation, unit);
  enqueueHook(unit, { name: 'stop' });
  enqueueHook(unit, { name: 'remove' });
  const app = state.applications[unit.app];
  if (app && app.leader === unitName) {
    app.leader = null;
    const next = unitsOfApp(state, unit.app)[0];
    if (next) electLeader(state, unit.app, next.name);
  }
}

/** A relation goes away: every unit in scope departs from every remote, then all get -broken. */
export function beginRelationRemoval(state: ModelState, relation: RelationRecord): string[] {
  relation.life = 'dying';
  const members = Object.values(state.units).filter((u) => (relation.inScope ?? []).includes(u.name));
  for (const unit of members) leaveScope(state, relation, unit, (remote) => remote.name);
  const orphans: string[] = [];
  for (const name of relation.created) {
    const unit = state.units[name];
    if (!unit) continue;
    unit.queue = unit.queue.filter((e) => !(e.kind === 'hook' && e.relationId === relation.id && !/-(departed)$/.test(e.name)));
    queueBroken(relation, unit);
  }
  const betweenSubordinates = relation.endpoints.every((e) => state.applications[e.app]?.charm.meta.subordinate);
  if (relation.scope === 'container' && !betweenSubordinates) {
    for (const unit of Object.values(state.units)) {
      if (unit.principal !== null && relation.endpoints.some((e) => e.app === unit.app)) orphans.push(unit.name);
    }
  }
  if (relation.created.length === 0) delete state.relations[String(relation.id)];
  return orphans;
}
