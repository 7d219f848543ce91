// What running a hook does to the model, apart from the charm's own writes: relation membership
// as the unit sees it, scope entry, unit lifecycle, and the follow-up hooks a commit wakes.

import { afterStorageHook } from './storage';
import { refreshNetworkSettings } from './addresses';
import { enterScope, stamp } from './lifecycle';
import { enqueueHook } from './queue';
import { endpointOf, isPeer, remoteAppOf, unitsOfApp } from './topology';
import type { HookEvent, ModelState, RelationRecord, UnitRecord, WorkloadStatus } from './types';

/** What a committed hook context changed (the tools' CommitResult, structurally). */
export interface CommitSummary {
  changedBags: Array<{ relationId: number; owner: string; isApp: boolean }>;
  leaderSettingsChanged: boolean;
  secretEvents?: Array<{ kind: 'secret-changed' | 'secret-remove'; secretId: string; revision: number; units: string[] }>;
}

function relationOf(state: ModelState, event: HookEvent): RelationRecord | undefined {
  return event.kind === 'hook' && event.relationId !== undefined ? state.relations[String(event.relationId)] : undefined;
}

function markSeen(relation: RelationRecord, observer: string, owner: string): void {
  const seen = (relation.seenVersions[observer] ??= {});
  seen[owner] = relation.bagVersions[owner] ?? 0;
}

/** Updates the unit's view just before its hook runs (relation-list in -joined includes the remote, in -departed not). */
export function beforeHook(state: ModelState, unit: UnitRecord, event: HookEvent, now: string): void {
  if (event.kind !== 'hook') return;
  if (event.name === 'install' && !unit.statusEverSet) {
    unit.workloadStatus = stamp(now, 'maintenance', 'installing charm software') as WorkloadStatus;
  }
  const relation = relationOf(state, event);
  if (!relation) return;
  const joined = (relation.joined[unit.name] ??= []);
  const remote = event.remoteUnit ?? '';
  if (event.name.endsWith('-relation-joined') && remote && !joined.includes(remote)) joined.push(remote);
  if (event.name.endsWith('-relation-departed')) relation.joined[unit.name] = joined.filter((n) => n !== remote);
  if (event.name.endsWith('-relation-changed')) {
    if (remote) markSeen(relation, unit.name, remote);
    markSeen(relation, unit.name, `app:${event.remoteApp ?? ''}`);
  }
  if (event.name.endsWith('-relation-broken')) relation.joined[unit.name] = [];
}

/**
 * Applies a successful (or skipped with `resolve --no-retry`) hook's lifecycle effects. A config-changed
 * that ran also brings the unit's address keys up to date in its relations (see addresses.ts); a skipped one does not.
 */
export function afterHook(state: ModelState, unit: UnitRecord, event: HookEvent, now: string, opts: { skipped?: boolean } = {}): void {
  if (event.kind !== 'hook') return;
  afterStorageHook(state, event);
  const relation = relationOf(state, event);
  const name = event.name;
  if (name === 'config-changed' && !opts.skipped) {
    applyCommit(state, unit, { changedBags: refreshNetworkSettings(state, unit), leaderSettingsChanged: false });
  }
  if (relation && name.endsWith('-relation-created')) {
    if (!relation.created.includes(unit.name)) relation.created.push(unit.name);
    if (unit.life === 'alive') enterScope(state, relation, unit);
  } else if (name === 'start') {
    if (unit.life === 'installing') unit.life = 'alive';
    if (!unit.statusEverSet) unit.workloadStatus = stamp(now, 'unknown', '') as WorkloadStatus;
    for (const r of Object.values(state.relations).sort((a, b) => a.id - b.id)) {
      if (r.created.includes(unit.name)) enterScope(state, r, unit);
    }
  } else if (relation && name.endsWith('-relation-broken')) {
    relation.created = relation.created.filter((n) => n !== unit.name);
    if (relation.life === 'dying' && relation.created.length === 0) delete state.relations[String(relation.id)];
  } else if (name === 'upgrade-charm') {
    unit.charmRevision = state.applications[unit.app]?.charm.revision ?? unit.charmRevision;
  } else if (name === 'remove') {
    forgetUnit(state, unit);
  }
}

/** A removed unit is gone from the model; the bags it wrote stay readable for each relation's lifetime. */
function forgetUnit(state: ModelState, unit: UnitRecord): void {
  unit.life = 'dead';
  for (const relation of Object.values(state.relations)) {
    relation.created = relation.created.filter((n) => n !== unit.name);
    relation.inScope = (relation.inScope ?? []).filter((n) => n !== unit.name);
    delete relation.joined[unit.name];
    delete relation.seenVersions[unit.name];
    if (relation.life === 'dying' && relation.created.length === 0) delete state.relations[String(relation.id)];
  }
  delete state.units[unit.name];
}

/**
 * After a commit: each bag that really changed wakes one coalesced -changed on every unit that observes it,
 * never on the writer; an app-bag change reaches the others with JUJU_REMOTE_UNIT="".
 */
export function applyCommit(state: ModelState, writer: UnitRecord, result: CommitSummary): void {
  for (const change of result.changedBags) {
    const relation = state.relations[String(change.relationId)];
    if (!relation || relation.life !== 'alive') continue;
    if (change.isApp) {
      const observers = isPeer(relation)
        ? unitsOfApp(state, writer.app).filter((u) => u.name !== writer.name)
        : unitsOfApp(state, remoteAppOf(relation, change.owner));
      for (const observer of observers) {
        if (!(relation.inScope ?? []).includes(observer.name)) continue;
        enqueueHook(observer, {
          name: `${endpointOf(relation, observer.app)}-relation-changed`,
          relationId: relation.id,
          remoteUnit: '',
          remoteApp: change.owner,
        });
      }
      continue;
    }
    for (const [observerName, joined] of Object.entries(relation.joined)) {
      const observer = state.units[observerName];
      if (!observer || observerName === writer.name || !joined.includes(change.owner) || observer.life === 'dead') continue;
      enqueueHook(observer, {
        name: `${endpointOf(relation, observer.app)}-relation-changed`,
        relationId: relation.id,
        remoteUnit: change.owner,
        remoteApp: writer.app,
      });
    }
  }
  for (const secret of result.secretEvents ?? []) {
    for (const name of secret.units) {
      const unit = state.units[name];
      if (!unit || unit.life === 'dying') continue;
      const record = state.secrets[secret.secretId];
      // a consumer sees its own label for the secret; the owner sees the owner's label
      const label = record?.consumers[unit.name]?.label ?? (record && [unit.name, unit.app].includes(record.owner.name) ? record.label : null);
      enqueueHook(unit, {
        name: secret.kind,
        secretId: secret.secretId,
        secretRevision: secret.revision,
        ...(label ? { secretLabel: label } : {}),
      });
    }
  }
  if (result.leaderSettingsChanged) {
    for (const follower of unitsOfApp(state, writer.app)) {
      if (follower.name !== writer.name) enqueueHook(follower, { name: 'leader-settings-changed' });
    }
  }
}

export function markHookFailed(unit: UnitRecord, event: HookEvent, now: string): void {
  const hookName = event.kind === 'hook' ? event.name : 'action';
  unit.erroredEvent = event;
  unit.statusBeforeError = unit.workloadStatus;
  unit.workloadStatus = { status: 'error', message: `hook failed: "${hookName}"`, since: now };
  unit.agentStatus = { status: 'error', message: `hook failed: "${hookName}"`, since: now };
}
