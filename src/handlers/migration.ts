// The lxd-migration peer wiring, called by converge once the host is configured: read the peers' bags,
// wire the peers whose records changed (a pinned remote per local user, trust of their client
// certificates), publish this unit's own record, and report how many peers are wired. A peer's own
// -joined/-changed reads only that peer's bag (and this unit's): every other peer comes from what this
// unit remembered of it, so the hook's cost does not grow with the number of peers.
import { hostname as osHostname } from 'node:os';
import type { Bag, RelationId, UnitName } from '../juju/hook-tools';
import { isTrustAdmin, supportsTrustPassword, type ServerInfo } from '../lxd/lxd-api';
import { clientPackaging } from '../lxd/socket-path';
import { AdminTrustStore } from '../migration/admin-trust-store';
import { applyMigrationChanges, type MigrationFailure } from '../migration/apply';
import { bagChanges, describeConflict, desiredMigration, legacyBag, planRemoteChanges, wiring, type DesiredMigration } from '../migration/desired-remotes';
import { FsClientConfigStore } from '../migration/fs-client-config';
import { FsHostsFile } from '../migration/fs-hosts-file';
import { applyHostChangesTo, describeHostChange, parseHostsBlock, planHostChanges, type HostsFile } from '../migration/peer-hosts';
import { makeLegacyJoiner } from '../migration/legacy-join';
import { peerMemoryChanges, readPeerMemory, rememberPeer, type RememberedPeer } from '../migration/peer-memory';
import { LEGACY_PORT, changedDigests, describeRefusal, parsePeerBag, recordDigest, resolvePeers, toBag, type PeerParse } from '../migration/peer-record';
import { LEGACY_TRUST_STATE_KEY, legacyJoinProblems, legacyTrustText, planLegacyTrust, readLegacyTrust } from './legacy-trust';
import type { ClientConfigStore, LocalUser, TrustStore, UserClientConfig } from '../migration/ports';
import type { PeerWiring } from '../model/status';
import type { Services } from './services';
import { byText } from '../model/order';

export const MIGRATION_ENDPOINT = 'lxd-migration';
/** charm-state key: what the last successful hook wired (peer digests and local users) */
export const WIRING_STATE_KEY = 'migration-wiring';

/** Everything the wiring touches outside Juju: LXD's trust store, each user's lxc files, /etc/hosts, passwd, the host name. */
export interface MigrationPorts {
  readonly trust: TrustStore;
  readonly clients: ClientConfigStore;
  readonly hosts: HostsFile;
  readonly users: (names: readonly string[]) => Promise<{ readonly found: LocalUser[]; readonly missing: string[] }>;
  readonly hostname: string;
}

export interface MigrationInput {
  /** the users the lxd relation brings (nova); root is always wired */
  readonly relationUsers: readonly string[];
  /** network-get lxd-migration; null: nothing to publish yet */
  readonly address: string | null;
  readonly port: number;
  readonly server: ServerInfo;
  /** the charm-state bag as the hook started */
  readonly stateBag: Bag;
  /** the trust password and pool legacy peers join with; read only while a legacy peer is present */
  readonly legacyCredentials: () => Promise<{ readonly password: string; readonly pool: string }>;
}

interface Remembered {
  readonly users: readonly string[];
  readonly peers: Record<UnitName, string>;
}


/** The real ports on a unit (files under "/"), or null when this LXD client cannot administer trust. */
export function unitMigrationPorts(s: Services): MigrationPorts | null {
  if (!isTrustAdmin(s.lxd)) return null;
  const packaging = clientPackaging(process.env);
  const clients = new FsClientConfigStore({ root: '/', packaging });
  return { trust: new AdminTrustStore(s.lxd), clients, hosts: new FsHostsFile('/etc/hosts'), users: (names) => clients.users(names), hostname: osHostname() };
}

const NOTHING_REMEMBERED: Remembered = { users: [], peers: Object.create(null) as Record<UnitName, string> };

/** What the last successful hook wired; null when there is no memory or it does not parse. */
function readRemembered(stateBag: Bag): Remembered | null {
  const text = stateBag[WIRING_STATE_KEY];
  if (text === undefined || text === '') return null;
  try {
    const json: unknown = JSON.parse(text);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    const { users, peers: digests } = json as { users?: unknown; peers?: unknown };
    if (!Array.isArray(users) || digests === null || typeof digests !== 'object' || Array.isArray(digests)) return null;
    const peers = Object.create(null) as Record<UnitName, string>;
    for (const [unit, digest] of Object.entries(digests)) if (typeof digest === 'string') peers[unit] = digest;
    return { users: users.filter((u): u is string => typeof u === 'string'), peers };
  } catch {
    return null;
  }
}

const rememberedText = (r: Remembered): string => JSON.stringify({ users: r.users, peers: Object.fromEntries(Object.entries(r.peers).sort(([a], [b]) => byText(a, b))) });

/** This unit's bag and the bags of `units` (one relation-get each: a process spawn on a real unit). */
async function readBags(s: Services, id: RelationId, units: readonly UnitName[]): Promise<{ readonly own: Bag; readonly peers: Map<UnitName, Bag> }> {
  const [own, ...bags] = await Promise.all([s.juju.relationGet(id, s.event.unit.unitName), ...units.map((u) => s.juju.relationGet(id, u))]);
  return { own: own ?? {}, peers: new Map(units.map((u, i) => [u, bags[i] ?? {}])) };
}

/**
 * The members a peer's own -joined/-changed takes from memory instead of reading (the others' changes
 * come with their own hooks): every member but that peer, wired with the record remembered of it.
 */
function fromMemory(units: readonly UnitName[], remoteUnit: UnitName | null, wired: Remembered, memory: ReadonlyMap<UnitName, RememberedPeer>): Map<UnitName, RememberedPeer> {
  const known = new Map<UnitName, RememberedPeer>();
  for (const unit of units) {
    const peer = memory.get(unit);
    if (unit !== remoteUnit && peer !== undefined && wired.peers[unit] === peer.digest) known.set(unit, peer);
  }
  return known;
}

type PeerFailure = Pick<MigrationFailure, 'peer' | 'reason'>;

const reasonOf = (failures: readonly PeerFailure[], unit: UnitName): string => failures.find((f) => f.peer === unit)?.reason ?? 'not wired';

/** Brings the charm's /etc/hosts block in line with the peers (one write); a failed write fails those peers. */
async function syncHosts(s: Services, hosts: HostsFile, desired: DesiredMigration, scope: ReadonlySet<UnitName> | undefined): Promise<PeerFailure[]> {
  const text = await hosts.read();
  const changes = planHostChanges(desired.hosts, parseHostsBlock(text), desired.untouched, scope);
  if (changes.length === 0) return [];
  for (const change of changes) await s.juju.log('INFO', describeHostChange(change));
  try {
    await hosts.write(applyHostChangesTo(text, changes));
    return [];
  } catch (err) {
    const reason = `cannot write /etc/hosts: ${err instanceof Error ? err.message : String(err)}`;
    await s.juju.log('WARNING', reason);
    return changes.map((c) => ({ peer: c.peer, reason }));
  }
}

/** Writes this unit's record (and the legacy keys while a legacy peer is present), only what differs. */
async function publish(s: Services, id: RelationId, own: Bag, input: MigrationInput, ports: MigrationPorts, users: readonly LocalUser[], desired: DesiredMigration): Promise<void> {
  const pem = input.server.certificatePem;
  if (!input.address || !pem || s.event.kind !== 'hook' || s.event.relation?.departingUnit === s.event.unit.unitName) return;
  const clientCertPems: Record<string, string> = {};
  for (const user of users) clientCertPems[user.name] = await ports.clients.ensureClientCert(user, ports.hostname);
  // a legacy peer can join only by password on port 8443: publish nothing it cannot use
  const joinable = input.port === LEGACY_PORT && supportsTrustPassword(input.server);
  const legacy = desired.publishLegacy && joinable ? await input.legacyCredentials() : null;
  const wanted = { ...toBag({ hostname: ports.hostname, address: input.address, port: input.port, serverCertPem: pem, clientCertPems }), ...legacyBag(desired.publishLegacy, legacy) };
  const changes = bagChanges(own, wanted);
  if (Object.keys(changes).length > 0) await s.juju.relationSet(id, changes);
}

/**
 * Wires this unit to its lxd-migration peers. Returns null when there is no peer relation or this LXD
 * client cannot do it (no trust administration, no server certificate): then converge reports as before.
 */
export async function reconcileMigration(s: Services, input: MigrationInput, ports: MigrationPorts | null = unitMigrationPorts(s)): Promise<PeerWiring | null> {
  if (ports === null || !input.server.certificatePem) return null;
  const [id] = await s.juju.relationIds(MIGRATION_ENDPOINT);
  if (id === undefined) return null;
  const me = s.event.unit.unitName;
  const relation = s.event.kind === 'hook' ? s.event.relation : null;
  const departing = relation?.departingUnit ?? null;

  const units = await s.juju.relationList(id);
  const { found, missing } = await ports.users([...new Set(['root', ...input.relationUsers])]);
  const userNames = found.map((u) => u.name).sort();
  const remembered = readRemembered(input.stateBag);
  // the scope is enough for a peer's own -joined/-changed; anything else checks every peer
  const scoped = relation?.endpoint === MIGRATION_ENDPOINT && departing === null && remembered !== null && JSON.stringify(userNames) === JSON.stringify(remembered.users);
  // and then only that peer's bag is read: -departed, update-status, config-changed, upgrade-charm,
  // changed users and missing memory read every bag
  const peerHook = scoped && /-relation-(joined|changed)$/.test(s.event.name);
  const known = peerHook ? fromMemory(units, relation.remoteUnit, remembered, readPeerMemory(input.stateBag)) : new Map<UnitName, RememberedPeer>();
  const { own, peers: bags } = await readBags(s, id, units.filter((u) => !known.has(u)));
  const parsed = new Map<UnitName, PeerParse>();
  const fresh = new Map<UnitName, RememberedPeer>();
  for (const [unit, bag] of bags) {
    const result = parsePeerBag(unit, bag);
    parsed.set(unit, result);
    fresh.set(unit, rememberPeer(unit, recordDigest(bag), result));
  }
  const peers = resolvePeers(ports.hostname, parsed, known);
  const current = new Map([...fresh, ...known].map(([unit, peer]) => [unit, peer.digest]));
  const { scope, digests } = changedDigests((remembered ?? NOTHING_REMEMBERED).peers, current);
  const desired = desiredMigration({ me, users: userNames, peers, departing });
  const refused = [...peers.refused.keys()];

  let failures: readonly PeerFailure[] = [];
  let conflicts: readonly string[] = [];
  let conflicted: ReadonlySet<UnitName> = new Set();
  let waitingUnits: readonly UnitName[] = [];
  let legacyTrust: string | null = null;
  const legacyUnits = departing === me ? [] : [...peers.legacy.map((p) => p.unit), ...peers.known.filter((p) => p.kind === 'legacy').map((p) => p.unit)].filter((u) => u !== departing).sort();
  if (!scoped || scope.size > 0) {
    for (const [unit, problems] of peers.refused) if (!scoped || scope.has(unit)) await s.juju.log('WARNING', describeRefusal(unit, problems));
    for (const name of missing) await s.juju.log('WARNING', `user ${name} does not exist on this machine: no remotes for it yet`);
    const clients = new Map<string, UserClientConfig>();
    for (const user of found) clients.set(user.name, await ports.clients.read(user));
    const observed = { clients, trust: await ports.trust.list() };
    // legacy peers' own entries, by fingerprint: recorded while they are here, revoked once they left
    const legacyPlan = planLegacyTrust({ memory: readLegacyTrust(input.stateBag), present: legacyUnits, entries: observed.trust, managedPrefix: desired.trustPrefix });
    for (const entry of legacyPlan.revoke) {
      await ports.trust.remove(entry.fingerprint);
      await s.juju.log('INFO', `revoked trust entry ${entry.name} (${entry.fingerprint.slice(0, 12)}) that a departed legacy peer made with the trust password`);
    }
    for (const { entry, departed, others } of legacyPlan.kept) {
      await s.juju.log('WARNING', `kept trust entry ${entry.name} (${entry.fingerprint.slice(0, 12)}): ${departed} left, but ${others.join(', ')} may have made it too`);
    }
    legacyTrust = legacyTrustText(legacyPlan.memory);
    const plan = planRemoteChanges(desired, observed, scoped ? scope : undefined);
    const passwords = new Map(peers.legacy.map((p) => [p.unit, p.password]));
    const joinLegacy = makeLegacyJoiner({ clients: ports.clients, passwords, hostname: ports.hostname });
    const log = (message: string): Promise<void> => s.juju.log('INFO', message);
    const applied = await applyMigrationChanges(plan.changes, { trust: ports.trust, clients: ports.clients, users: new Map(found.map((u) => [u.name, u])), joinLegacy, log });
    for (const failure of applied.failures) await s.juju.log('WARNING', `peer ${failure.peer ?? '?'}: ${failure.reason}`);
    const hostFailures = await syncHosts(s, ports.hosts, desired, scoped ? scope : undefined);
    failures = [...applied.failures, ...hostFailures];
    conflicts = plan.conflicts.map(describeConflict);
    conflicted = new Set(plan.conflicts.map((c) => c.peer));
    for (const conflict of conflicts) await s.juju.log('WARNING', conflict);
    const stillWaiting = new Set([...wiring(desired, { changes: applied.failures.map((f) => f.change), conflicts: plan.conflicts }).waiting, ...hostFailures.flatMap((f) => (f.peer ? [f.peer] : []))]);
    waitingUnits = desired.peerUnits.filter((u) => stillWaiting.has(u));
  }

  await publish(s, id, own, input, ports, found, desired);
  const legacyProblems = legacyJoinProblems(legacyUnits, input.port, input.server);
  // logged when the peers are looked at, not on every quiet hook; the status says it every time
  if (!scoped || scope.size > 0) for (const problem of legacyProblems) await s.juju.log('WARNING', problem);

  // forget the peers that are not wired yet: the next hook (update-status at the latest) tries again
  const next: Remembered = { users: userNames, peers: Object.create(null) as Record<UnitName, string> };
  for (const [unit, digest] of Object.entries(digests)) if (!waitingUnits.includes(unit)) next.peers[unit] = digest;
  const text = rememberedText(next);
  const memory = peerMemoryChanges(input.stateBag, fresh, new Set(units));
  const changes = { ...memory.set };
  if (text !== (input.stateBag[WIRING_STATE_KEY] ?? '')) changes[WIRING_STATE_KEY] = text;
  // no legacy peer left: the key goes (Juju keeps an empty value)
  const forgetLegacyTrust = legacyTrust === '' && LEGACY_TRUST_STATE_KEY in input.stateBag;
  if (legacyTrust && legacyTrust !== input.stateBag[LEGACY_TRUST_STATE_KEY]) changes[LEGACY_TRUST_STATE_KEY] = legacyTrust;
  if (Object.keys(changes).length > 0) await s.juju.stateSet(changes);
  for (const key of memory.remove) await s.juju.stateDelete(key);
  if (forgetLegacyTrust) await s.juju.stateDelete(LEGACY_TRUST_STATE_KEY);

  return {
    total: desired.peerUnits.length,
    wired: desired.peerUnits.filter((u) => !waitingUnits.includes(u)),
    // a conflict is the operator's to resolve (reported apart); a failure is retried
    waiting: waitingUnits.filter((u) => failures.some((f) => f.peer === u) || !conflicted.has(u)).map((unit) => ({ unit, reason: reasonOf(failures, unit) })),
    // a legacy peer that cannot join is the operator's to fix, as a conflict is
    conflicts: [...conflicts, ...legacyProblems],
    refused,
  };
}
