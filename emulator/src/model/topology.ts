// Who is in which relation with whom: the pure relation topology of a model.

import type { ModelState, RelationRecord, UnitRecord } from './types';

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

export function unitNumber(name: string): number {
  return Number(name.slice(name.lastIndexOf('/') + 1));
}

export function byUnitNumber(a: string, b: string): number {
  return unitNumber(a) - unitNumber(b);
}

export function getUnit(state: ModelState, name: string): UnitRecord {
  const unit = state.units[name];
  if (!unit) throw new ModelError(`unit "${name}" not found`);
  return unit;
}

export function unitsOfApp(state: ModelState, app: string, includeDying = false): UnitRecord[] {
  return Object.values(state.units)
    .filter((u) => u.app === app && (includeDying || u.life !== 'dying'))
    .sort((a, b) => byUnitNumber(a.name, b.name));
}

export function isPeer(relation: RelationRecord): boolean {
  return relation.endpoints.length === 1;
}

export function relationApps(relation: RelationRecord): string[] {
  return relation.endpoints.map((e) => e.app);
}

export function endpointOf(relation: RelationRecord, app: string): string {
  const ep = relation.endpoints.find((e) => e.app === app);
  if (!ep) throw new ModelError(`application "${app}" is not in relation ${relation.key}`);
  return ep.endpoint;
}

/** The application on the other side (own app for peers). */
export function remoteAppOf(relation: RelationRecord, app: string): string {
  if (isPeer(relation)) return app;
  return relation.endpoints.find((e) => e.app !== app)?.app ?? app;
}

/** Two subordinates sharing a principal unit (Juju's container scope between two subordinate applications). */
const sameContainer = (a: UnitRecord, b: UnitRecord): boolean => a.principal !== null && a.principal === b.principal;

/**
 * Whether a unit takes part in a relation at all: a subordinate only in the container relation with
 * its principal's app, or with another subordinate application that has a unit on the same principal.
 */
export function participates(state: ModelState, relation: RelationRecord, unit: UnitRecord): boolean {
  if (!relationApps(relation).includes(unit.app)) return false;
  if (relation.scope !== 'container' || isPeer(relation)) return true;
  if (unit.principal === null) return true;
  const principal = state.units[unit.principal];
  const remoteApp = remoteAppOf(relation, unit.app);
  if (principal !== undefined && remoteApp === principal.app) return true;
  return Object.values(state.units).some((other) => other.app === remoteApp && sameContainer(other, unit));
}

/** The units a unit sees across a relation (alive or dying, not yet gone). */
export function remotesOf(state: ModelState, relation: RelationRecord, unit: UnitRecord): UnitRecord[] {
  const remoteApp = remoteAppOf(relation, unit.app);
  return Object.values(state.units)
    .filter((other) => other.name !== unit.name && other.app === remoteApp && participates(state, relation, other))
    .filter((other) => {
      if (relation.scope !== 'container' || isPeer(relation)) return true;
      return other.principal === unit.name || unit.principal === other.name || sameContainer(other, unit);
    })
    .sort((a, b) => byUnitNumber(a.name, b.name));
}

export function relationsOfUnit(state: ModelState, unit: UnitRecord): RelationRecord[] {
  return Object.values(state.relations)
    .filter((r) => participates(state, r, unit))
    .sort((a, b) => a.id - b.id);
}

/** Juju's relation id as the hook sees it: `endpoint:id`. */
export function relationIdString(relation: RelationRecord, app: string): string {
  return `${endpointOf(relation, app)}:${relation.id}`;
}
