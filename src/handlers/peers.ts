// The lxd-migration peers, called by converge once the host is configured: read the peers' bags and
// what the wiring touches, plan (reconcile/peers.ts, pure), apply through apply.ts's one table, and
// report how many peers are wired. A peer's own -joined/-changed reads only that peer's bag (and this
// unit's): every other peer comes from what this unit remembered of it, so the hook's cost does not
// grow with the number of peers.
import type { Bag, RelationId, UnitName } from '../juju/hook-tools';
import { supportsTrustPassword, type ServerInfo } from '../lxd/lxd-api';
import { applyEach, type ApplyFailure } from '../reconcile/apply';
import { describeConflict, desiredMigration, planPeers, type DesiredMigration, type OwnRecordInput, type PeerWork } from '../reconcile/peers';
import { readPeerMemory, rememberPeer, type RememberedPeer } from '../model/peer-memory';
import { LEGACY_PORT, changedDigests, describeRefusal, parsePeerBag, recordDigest, resolvePeers, toBag, type PeerParse } from '../model/peer-record';
import { legacyJoinProblems, planLegacyTrust, readLegacyTrust } from '../model/legacy-trust';
import type { LocalUser, UserClientConfig } from '../lxd/client-config-store';
import type { CharmState } from '../model/charm-state';
import type { PeerWiring } from '../model/status';
import type { Services } from './services';

export const MIGRATION_ENDPOINT = 'lxd-migration';

export interface MigrationInput {
  /** the users the lxd relation brings (nova); root is always wired */
  readonly relationUsers: readonly string[];
  /** network-get lxd-migration; null: nothing to publish yet */
  readonly address: string | null;
  readonly port: number;
  readonly server: ServerInfo;
  /** the trust password and its hash, and the pool legacy peers join with */
  readonly trustPassword: () => Promise<{ readonly value: string; readonly hash: string }>;
  readonly pool: string;
}

/** This unit's bag and the bags of `units` (one relation-get each: a process spawn on a real unit). */
async function readBags(s: Services, id: RelationId, units: readonly UnitName[]): Promise<{ readonly own: Bag; readonly peers: Map<UnitName, Bag> }> {
  const [own, ...bags] = await Promise.all([s.juju.relationGet(id, s.event.unit.unitName), ...units.map((u) => s.juju.relationGet(id, u))]);
  return { own: own ?? {}, peers: new Map(units.map((u, i) => [u, bags[i] ?? {}])) };
}

/**
 * The members a peer's own -joined/-changed takes from memory instead of reading (the others' changes
 * come with their own hooks): every member but that peer, remembered as wired.
 */
function fromMemory(units: readonly UnitName[], remoteUnit: UnitName | null, memory: ReadonlyMap<UnitName, RememberedPeer>): Map<UnitName, RememberedPeer> {
  const known = new Map<UnitName, RememberedPeer>();
  for (const unit of units) {
    const peer = memory.get(unit);
    if (unit !== remoteUnit && peer !== undefined && peer.wired) known.set(unit, peer);
  }
  return known;
}

const reasonOf = (failures: readonly ApplyFailure[], unit: UnitName): string => failures.find((f) => f.peers.includes(unit))?.reason ?? 'not wired';

/** This unit's record as it should be in its bag, or null when there is nothing to publish. */
async function ownRecord(s: Services, id: RelationId, own: Bag, input: MigrationInput, users: readonly LocalUser[], desired: DesiredMigration): Promise<OwnRecordInput | null> {
  const pem = input.server.certificatePem;
  if (!input.address || !pem || s.event.kind !== 'hook' || s.event.relation?.departingUnit === s.event.unit.unitName) return null;
  const clientCertPems: Record<string, string> = {};
  // made once, on first use: the record cannot be published without them
  for (const user of users) clientCertPems[user.name] = await s.clients.ensureClientCert(user, s.hostname);
  // a legacy peer can join only by password on port 8443: publish nothing it cannot use
  const legacyPassword = desired.publishLegacy && input.port === LEGACY_PORT && supportsTrustPassword(input.server);
  const record = toBag({ hostname: s.hostname, address: input.address, port: input.port, serverCertPem: pem, clientCertPems });
  // the legacy keys only while a legacy peer can use them ("" deletes); the password's value stays out of the plan
  const wanted: Record<string, string> = legacyPassword ? { ...record, pool: input.pool } : { ...record, pool: '', password: '' };
  const passwordCurrent = legacyPassword && (own.password ?? '') === (await input.trustPassword()).value;
  return { relationId: id, own, wanted, legacyPassword, passwordCurrent };
}

export interface MigrationOutcome {
  readonly wiring: PeerWiring;
  /** the charm state with what the wiring remembers: the caller commits it with its own, one state-set per hook */
  readonly state: CharmState;
}

/**
 * Wires this unit to its lxd-migration peers. Returns null when there is no peer relation or LXD
 * reports no server certificate (nothing to pin yet): then converge reports as before.
 */
export async function reconcileMigration(s: Services, input: MigrationInput, state: CharmState): Promise<MigrationOutcome | null> {
  if (!input.server.certificatePem) return null;
  const [id] = await s.juju.relationIds(MIGRATION_ENDPOINT);
  if (id === undefined) return null;
  const me = s.event.unit.unitName;
  const relation = s.event.kind === 'hook' ? s.event.relation : null;
  const departing = relation?.departingUnit ?? null;

  const units = await s.juju.relationList(id);
  const { found, missing } = await s.clients.users([...new Set(['root', ...input.relationUsers])]);
  const userNames = found.map((u) => u.name).sort();
  const memory = readPeerMemory(state.peerMemory);
  // the scope is enough for a peer's own -joined/-changed; anything else checks every peer
  const scoped = relation?.endpoint === MIGRATION_ENDPOINT && departing === null && state.peerUsers.length > 0 && JSON.stringify(userNames) === JSON.stringify(state.peerUsers);
  // and then only that peer's bag is read: -departed, update-status, config-changed, upgrade-charm,
  // changed users and missing memory read every bag
  const peerHook = scoped && /-relation-(joined|changed)$/.test(s.event.name);
  const known = peerHook ? fromMemory(units, relation.remoteUnit, memory) : new Map<UnitName, RememberedPeer>();
  const { own, peers: bags } = await readBags(s, id, units.filter((u) => !known.has(u)));
  const parsed = new Map<UnitName, PeerParse>();
  const fresh = new Map<UnitName, RememberedPeer>();
  for (const [unit, bag] of bags) {
    const result = parsePeerBag(unit, bag);
    parsed.set(unit, result);
    fresh.set(unit, rememberPeer(unit, recordDigest(bag), result));
  }
  const peers = resolvePeers(s.hostname, parsed, known);
  const current = new Map([...fresh, ...known].map(([unit, peer]) => [unit, peer.digest]));
  const wiredDigests = Object.fromEntries([...memory].filter(([, peer]) => peer.wired).map(([unit, peer]) => [unit, peer.digest]));
  const { scope } = changedDigests(wiredDigests, current);
  const desired = desiredMigration({ me, users: userNames, peers, departing });
  const legacyUnits = departing === me ? [] : [...peers.legacy.map((p) => p.unit), ...peers.known.filter((p) => p.kind === 'legacy').map((p) => p.unit)].filter((u) => u !== departing).sort();
  const looked = !scoped || scope.size > 0;

  let work: PeerWork | null = null;
  if (looked) {
    for (const [unit, problems] of peers.refused) if (!scoped || scope.has(unit)) await s.juju.log('WARNING', describeRefusal(unit, problems));
    for (const name of missing) await s.juju.log('WARNING', `user ${name} does not exist on this machine: no remotes for it yet`);
    const clients = new Map<string, UserClientConfig>();
    for (const user of found) clients.set(user.name, await s.clients.read(user));
    const [trust, hostsText] = await Promise.all([s.lxd.trustEntries(), s.hosts.read()]);
    // legacy peers' own entries, by fingerprint: recorded while they are here, revoked once they left
    const legacy = planLegacyTrust({ memory: readLegacyTrust(state.legacyTrust), present: legacyUnits, entries: trust, managedPrefix: desired.trustPrefix });
    for (const { entry, departed, others } of legacy.kept) {
      await s.juju.log('WARNING', `kept trust entry ${entry.name} (${entry.fingerprint.slice(0, 12)}): ${departed} left, but ${others.join(', ')} may have made it too`);
    }
    work = { observed: { clients, trust }, hostsText, legacy };
  }
  const record = await ownRecord(s, id, own, input, found, desired);
  const plan = planPeers({ desired, work, scope: scoped ? scope : undefined, record, fresh, members: new Set(units), users: userNames, state });
  const io = { lxd: s.lxd, host: s.host, juju: s.juju, clients: s.clients, lxc: s.lxc, hosts: s.hosts, trustPassword: input.trustPassword, peers: { users: new Map(found.map((u) => [u.name, u])), passwords: new Map(peers.legacy.map((p) => [p.unit, p.password])) } };
  const applied = await applyEach(plan.changes, io, state);
  const failures = applied.failures;
  for (const failure of failures) await s.juju.log('WARNING', `peer ${failure.peers.join(', ') || '?'}: ${failure.reason}`);
  const conflicts = plan.conflicts.map(describeConflict);
  for (const conflict of conflicts) await s.juju.log('WARNING', conflict);
  const conflicted = new Set(plan.conflicts.map((c) => c.peer));
  const busy = new Set([...failures.flatMap((f) => f.peers), ...conflicted]);
  const waitingUnits = desired.peerUnits.filter((u) => busy.has(u));

  const legacyProblems = legacyJoinProblems(legacyUnits, input.port, input.server);
  // logged when the peers are looked at, not on every quiet hook; the status says it every time
  if (looked) for (const problem of legacyProblems) await s.juju.log('WARNING', problem);

  const wiring: PeerWiring = {
    total: desired.peerUnits.length,
    wired: desired.peerUnits.filter((u) => !waitingUnits.includes(u)),
    // a conflict is the operator's to resolve (reported apart); a failure is retried
    waiting: waitingUnits.filter((u) => failures.some((f) => f.peers.includes(u)) || !conflicted.has(u)).map((unit) => ({ unit, reason: reasonOf(failures, unit) })),
    // a legacy peer that cannot join is the operator's to fix, as a conflict is
    conflicts: [...conflicts, ...legacyProblems],
    refused: [...peers.refused.keys()],
  };
  return { wiring, state: applied.state };
}
