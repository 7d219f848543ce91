// A hook's view of relations (contract §3.3, §4.7): which relations and members it sees, bag reads
// (own bags live with pending writes, remote bags from a snapshot taken at first read) and the
// pending writes that commit() applies.

import { endpointOf, isPeer, relationIdString, remoteAppOf } from '../model/topology';
import type { Bag, ModelState, RelationRecord } from '../model/types';
import { quote, runError } from './errors';

/** Where the version of a bag is kept in RelationRecord.bagVersions (app bags as `app:<name>`, as the agent reads them). */
export function bagVersionKey(owner: string, isApp: boolean): string {
  return isApp ? `app:${owner}` : owner;
}

export interface ChangedBag {
  relationId: number;
  /** unit name, or application name when isApp */
  owner: string;
  isApp: boolean;
}

interface PendingBag extends ChangedBag {
  changes: Map<string, string>; // "" deletes
}

/** Juju's limit on one relation bag. */
const MAX_BAG_BYTES = 16 * 1024 * 1024;

function bagKey(relationId: number, owner: string, isApp: boolean): string {
  return `${relationId}|${isApp ? 'app' : 'unit'}|${owner}`;
}

function applyChanges(base: Bag, changes: ReadonlyMap<string, string>): Bag {
  const out: Bag = { ...base };
  for (const [key, value] of changes) {
    if (value === '') delete out[key];
    else out[key] = value;
  }
  return out;
}

function sameBag(a: Bag, b: Bag): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => b[k] === a[k]);
}

export class RelationView {
  private readonly snapshots = new Map<string, Bag>();
  private readonly pending = new Map<string, PendingBag>();

  constructor(
    private readonly state: ModelState,
    private readonly unitName: string,
    private readonly appName: string,
    /** the relation of the running hook, visible even before its -created has completed */
    private readonly hookRelationId: number | undefined,
    private readonly isLeader: () => boolean,
  ) {}

  /** Relations this unit has entered (ran -created), plus the current hook's relation, by id. */
  visible(): RelationRecord[] {
    return Object.values(this.state.relations)
      .filter((r) => r.endpoints.some((e) => e.app === this.appName))
      .filter((r) => r.created.includes(this.unitName) || r.id === this.hookRelationId)
      .sort((a, b) => a.id - b.id);
  }

  byId(id: number): RelationRecord | undefined {
    return this.visible().find((r) => r.id === id);
  }

  endpoint(relation: RelationRecord): string {
    return endpointOf(relation, this.appName);
  }

  idString(relation: RelationRecord): string {
    return relationIdString(relation, this.appName);
  }

  remoteApp(relation: RelationRecord): string {
    return remoteAppOf(relation, this.appName);
  }

  /** Remote units joined (not departed), in plain string order as Juju sorts them. */
  members(relation: RelationRecord): string[] {
    return [...(relation.joined[this.unitName] ?? [])].sort();
  }

  private ownedByMe(owner: string, isApp: boolean): boolean {
    return isApp ? owner === this.appName && this.isLeader() : owner === this.unitName;
  }

  /** A bag as this hook sees it; throws `permission denied` where Juju would. */
  read(relation: RelationRecord, owner: string, isApp: boolean): Bag {
    if (isApp && owner === this.appName && !this.isLeader() && !isPeer(relation)) throw runError('permission denied');
    if (isApp && !relation.endpoints.some((e) => e.app === owner)) {
      throw runError(`cannot read settings for application ${quote(owner)} in relation ${quote(this.idString(relation))}: permission denied`);
    }
    const key = bagKey(relation.id, owner, isApp);
    if (this.ownedByMe(owner, isApp)) {
      const committed = (isApp ? relation.appBags[owner] : relation.unitBags[owner]) ?? {};
      return applyChanges(committed, this.pending.get(key)?.changes ?? new Map());
    }
    const cached = this.snapshots.get(key);
    if (cached) return cached;
    const committed = isApp ? (relation.appBags[owner] ?? {}) : relation.unitBags[owner];
    if (committed === undefined) {
      throw runError(`cannot read settings for unit ${quote(owner)} in relation ${quote(this.idString(relation))}: unit ${quote(owner)}: settings not found`);
    }
    const snapshot = { ...committed };
    this.snapshots.set(key, snapshot);
    return snapshot;
  }

  /** Queues writes to this unit's bag, or (leader only) its app bag; "" deletes. */
  write(relation: RelationRecord, isApp: boolean, changes: ReadonlyMap<string, string>): void {
    if (isApp && !this.isLeader()) throw runError('cannot write relation settings');
    const owner = isApp ? this.appName : this.unitName;
    const key = bagKey(relation.id, owner, isApp);
    const entry = this.pending.get(key) ?? { relationId: relation.id, owner, isApp, changes: new Map<string, string>() };
    const merged = new Map([...entry.changes, ...changes]);
    const result = applyChanges((isApp ? relation.appBags[owner] : relation.unitBags[owner]) ?? {}, merged);
    const size = Object.entries(result).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (size > MAX_BAG_BYTES) throw runError(`relation data exceeds the limit of ${MAX_BAG_BYTES} bytes`);
    entry.changes = merged;
    this.pending.set(key, entry);
  }

  /** Applies the pending writes; returns the bags whose content really changed (their versions bumped). */
  commit(): ChangedBag[] {
    const changed: ChangedBag[] = [];
    for (const entry of this.pending.values()) {
      const relation = this.state.relations[String(entry.relationId)];
      if (!relation) continue; // removed while the hook ran: nothing left to write to
      const bags = entry.isApp ? relation.appBags : relation.unitBags;
      const before = bags[entry.owner] ?? {};
      const after = applyChanges(before, entry.changes);
      if (sameBag(before, after)) continue;
      bags[entry.owner] = after;
      const versionKey = bagVersionKey(entry.owner, entry.isApp);
      relation.bagVersions[versionKey] = (relation.bagVersions[versionKey] ?? 0) + 1;
      changed.push({ relationId: entry.relationId, owner: entry.owner, isApp: entry.isApp });
    }
    this.pending.clear();
    return changed;
  }

  discard(): void {
    this.pending.clear();
  }
}
