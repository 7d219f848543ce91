// The lxd-migration peer wiring, called by converge once the host is configured: read every peer's
// bag, wire the peers whose records changed (a pinned remote per local user, trust of their client
// certificates), publish this unit's own record, and report how many peers are wired.
import { existsSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type { Bag, RelationId, UnitName } from '../juju/hook-tools';
import { isTrustAdmin, supportsTrustPassword, type ServerInfo } from '../lxd/lxd-api';
import { DEB_SOCKET, SNAP_SOCKET } from '../lxd/socket-client';
import { AdminTrustStore } from '../migration/admin-trust-store';
import { applyMigrationChanges, type MigrationFailure } from '../migration/apply';
import { bagChanges, describeConflict, desiredMigration, legacyBag, planRemoteChanges, wiring, type DesiredMigration } from '../migration/desired-remotes';
import { FsClientConfigStore } from '../migration/fs-client-config';
import { makeLegacyJoiner } from '../migration/legacy-join';
import { changedPeers, describeRefusal, parsePeers, toBag } from '../migration/peer-record';
import type { ClientConfigStore, LocalUser, TrustStore, UserClientConfig } from '../migration/ports';
import type { PeerWiring } from '../model/status';
import type { Services } from './services';

export const MIGRATION_ENDPOINT = 'lxd-migration';
/** charm-state key: what the last successful hook wired (peer digests and local users) */
export const WIRING_STATE_KEY = 'migration-wiring';

/** Everything the wiring touches outside Juju: LXD's trust store, each user's lxc files, passwd, the host name. */
export interface MigrationPorts {
  readonly trust: TrustStore;
  readonly clients: ClientConfigStore;
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
  const packaging = existsSync(SNAP_SOCKET) && !existsSync(DEB_SOCKET) ? 'snap' : 'deb';
  const clients = new FsClientConfigStore({ root: '/', packaging });
  return { trust: new AdminTrustStore(s.lxd), clients, users: (names) => clients.users(names), hostname: osHostname() };
}

function readRemembered(stateBag: Bag): Remembered {
  try {
    const json = JSON.parse(stateBag[WIRING_STATE_KEY] ?? '{}') as Partial<Remembered>;
    const peers = Object.create(null) as Record<UnitName, string>;
    for (const [unit, digest] of Object.entries(json.peers ?? {})) if (typeof digest === 'string') peers[unit] = digest;
    return { users: Array.isArray(json.users) ? json.users.filter((u): u is string => typeof u === 'string') : [], peers };
  } catch {
    return { users: [], peers: Object.create(null) as Record<UnitName, string> };
  }
}

const rememberedText = (r: Remembered): string => JSON.stringify({ users: r.users, peers: Object.fromEntries(Object.entries(r.peers).sort(([a], [b]) => a.localeCompare(b))) });

async function readBags(s: Services, id: RelationId): Promise<{ readonly own: Bag; readonly peers: Map<UnitName, Bag> }> {
  const units = await s.juju.relationList(id);
  const [own, ...bags] = await Promise.all([s.juju.relationGet(id, s.event.unit.unitName), ...units.map((u) => s.juju.relationGet(id, u))]);
  return { own: own ?? {}, peers: new Map(units.map((u, i) => [u, bags[i] ?? {}])) };
}

const reasonOf = (failures: readonly MigrationFailure[], unit: UnitName): string => failures.find((f) => f.peer === unit)?.reason ?? 'not wired';

/** Writes this unit's record (and the legacy keys while a legacy peer is present), only what differs. */
async function publish(s: Services, id: RelationId, own: Bag, input: MigrationInput, ports: MigrationPorts, users: readonly LocalUser[], desired: DesiredMigration): Promise<void> {
  const pem = input.server.certificatePem;
  if (!input.address || !pem || s.event.kind !== 'hook' || s.event.relation?.departingUnit === s.event.unit.unitName) return;
  const clientCertPems: Record<string, string> = {};
  for (const user of users) clientCertPems[user.name] = await ports.clients.ensureClientCert(user, ports.hostname);
  const legacy = desired.publishLegacy && supportsTrustPassword(input.server) ? await input.legacyCredentials() : null;
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

  const { own, peers: bags } = await readBags(s, id);
  const peers = parsePeers(ports.hostname, bags);
  const remembered = readRemembered(input.stateBag);
  const { scope, digests } = changedPeers(remembered.peers, bags);
  const { found, missing } = await ports.users([...new Set(['root', ...input.relationUsers])]);
  const userNames = found.map((u) => u.name).sort();
  const desired = desiredMigration({ me, users: userNames, peers, departing });
  // the scope is enough for a peer's own -joined/-changed; anything else checks every peer
  const scoped = relation?.endpoint === MIGRATION_ENDPOINT && departing === null && JSON.stringify(userNames) === JSON.stringify(remembered.users);
  const refused = [...peers.refused.keys()];

  let failures: readonly MigrationFailure[] = [];
  let conflicts: readonly string[] = [];
  let conflicted: ReadonlySet<UnitName> = new Set();
  let waitingUnits: readonly UnitName[] = [];
  if (!scoped || scope.size > 0) {
    for (const [unit, problems] of peers.refused) if (!scoped || scope.has(unit)) await s.juju.log('WARNING', describeRefusal(unit, problems));
    for (const name of missing) await s.juju.log('WARNING', `user ${name} does not exist on this machine: no remotes for it yet`);
    const clients = new Map<string, UserClientConfig>();
    for (const user of found) clients.set(user.name, await ports.clients.read(user));
    const observed = { clients, trust: await ports.trust.list() };
    const plan = planRemoteChanges(desired, observed, scoped ? scope : undefined);
    const passwords = new Map(peers.legacy.map((p) => [p.unit, p.password]));
    const joinLegacy = makeLegacyJoiner({ clients: ports.clients, passwords, hostname: ports.hostname });
    const log = (message: string): Promise<void> => s.juju.log('INFO', message);
    ({ failures } = await applyMigrationChanges(plan.changes, { trust: ports.trust, clients: ports.clients, users: new Map(found.map((u) => [u.name, u])), joinLegacy, log }));
    for (const failure of failures) await s.juju.log('WARNING', `peer ${failure.peer ?? '?'}: ${failure.reason}`);
    conflicts = plan.conflicts.map(describeConflict);
    conflicted = new Set(plan.conflicts.map((c) => c.peer));
    for (const conflict of conflicts) await s.juju.log('WARNING', conflict);
    waitingUnits = wiring(desired, { changes: failures.map((f) => f.change), conflicts: plan.conflicts }).waiting;
  }

  await publish(s, id, own, input, ports, found, desired);

  // forget the peers that are not wired yet: the next hook (update-status at the latest) tries again
  const next: Remembered = { users: userNames, peers: Object.create(null) as Record<UnitName, string> };
  for (const [unit, digest] of Object.entries(digests)) if (!waitingUnits.includes(unit)) next.peers[unit] = digest;
  const text = rememberedText(next);
  if (text !== (input.stateBag[WIRING_STATE_KEY] ?? '')) await s.juju.stateSet({ [WIRING_STATE_KEY]: text });

  return {
    total: desired.peerUnits.length,
    wired: desired.peerUnits.filter((u) => !waitingUnits.includes(u)),
    // a conflict is the operator's to resolve (reported apart); a failure is retried
    waiting: waitingUnits.filter((u) => failures.some((f) => f.peer === u) || !conflicted.has(u)).map((unit) => ({ unit, reason: reasonOf(failures, unit) })),
    conflicts,
    refused,
  };
}
