// The lxd-migration peers in the one pipeline: from this unit, its local users and its peers' records,
// the remotes every user should have and the client certificates LXD should trust (desired, pure); then
// the changes from what is observed (plan, pure): trust and remotes, the /etc/hosts block, legacy
// peers' trust, this unit's own record, and what it remembers of each peer; and how each is applied.
// plan.ts lists these changes in its one Change union, apply.ts their appliers in its one table.
import type { Bag, RelationId, UnitName } from '../juju/hook-tools';
import { applyHostChangesTo, describeHostChange, parseHostsBlock, planHostChanges, type HostEntry, type HostsChange, type HostsFile } from '../model/peer-hosts';
import { byUnit, type LegacyPeer, type PeerRecord, type PeerSet } from '../model/peer-record';
import type { ClientConfigStore, LocalUser, RemoteSpec, UserClientConfig } from '../lxd/client-config-store';
import type { LxcClient } from '../lxd/lxc-client';
import type { LxdApi, TrustEntry } from '../lxd/lxd-api';
import type { CharmState } from '../model/charm-state';
import { legacyTrustText, type LegacyTrustPlan } from '../model/legacy-trust';
import { peerMemoryKey, peerMemoryText, type RememberedPeer } from '../model/peer-memory';
import { byText } from '../model/order';

export interface MigrationInputs {
  readonly me: UnitName;
  /** root and each lxd-relation user */
  readonly users: readonly string[];
  readonly peers: PeerSet;
  /** JUJU_DEPARTING_UNIT in -departed, else null */
  readonly departing: UnitName | null;
}

export interface DesiredTrust {
  readonly name: string;
  readonly fingerprint: string;
  readonly derBase64: string;
  readonly peer: UnitName;
}

export interface DesiredMigration {
  /** user → remote name → remote */
  readonly remotes: ReadonlyMap<string, ReadonlyMap<string, RemoteSpec>>;
  /** by fingerprint: one entry even when a peer publishes one certificate for several users */
  readonly trust: ReadonlyMap<string, DesiredTrust>;
  /** refused, not yet published, or known only from memory: what is wired for them stays as it is */
  readonly untouched: ReadonlySet<UnitName>;
  /** peers known only from memory: remote name → unit, checked for conflicts, never changed */
  readonly knownRemotes: ReadonlyMap<string, UnitName>;
  /** client certificates of peers known only from memory: still wanted, never revoked */
  readonly knownFingerprints: ReadonlySet<string>;
  /** names starting with this are trust entries the charm owns */
  readonly trustPrefix: string;
  /** publish the legacy keys (password, hostname, address, pool): only while a legacy peer is present */
  readonly publishLegacy: boolean;
  readonly peerUnits: readonly UnitName[];
  /** peer unit → the host name and address /etc/hosts should give it (what nova-lxd dials) */
  readonly hosts: ReadonlyMap<UnitName, HostEntry>;
}

const unitSlug = (unit: UnitName): string => unit.replace('/', '-');

/** The trust entry name for a peer user's client certificate: juju-lxd-1-nova. */
export const trustName = (peer: UnitName, user: string): string => `juju-${unitSlug(peer)}-${user}`;

/** https://<address>:<port>, IPv6 in brackets. */
export const remoteUrl = (address: string, port: number): string => (address.includes(':') ? `https://[${address}]:${port}` : `https://${address}:${port}`);

const remoteOf = (peer: PeerRecord | LegacyPeer): RemoteSpec => ({
  name: peer.hostname,
  url: remoteUrl(peer.address, peer.port),
  pinnedCert: 'serverCert' in peer ? peer.serverCert.pem : null,
  peer: peer.unit,
});

export function desiredMigration({ me, users, peers, departing }: MigrationInputs): DesiredMigration {
  const leaving = departing === me;
  const stays = (unit: UnitName): boolean => !leaving && unit !== departing;
  const records = peers.records.filter((p) => stays(p.unit));
  const legacy = peers.legacy.filter((p) => stays(p.unit));
  const known = peers.known.filter((p) => stays(p.unit));
  const knownFingerprints = new Set(known.flatMap((p) => Object.values(p.clientFingerprints)));
  const wanted = [...records, ...legacy].map(remoteOf).sort((a, b) => byText(a.name, b.name));
  const remotes = new Map<string, ReadonlyMap<string, RemoteSpec>>();
  for (const user of [...new Set(users)].sort()) remotes.set(user, new Map(wanted.map((r) => [r.name, r])));
  const trust = new Map<string, DesiredTrust>();
  for (const record of records) {
    for (const user of Object.keys(record.clientCerts).sort()) {
      const cert = record.clientCerts[user];
      if (cert && !trust.has(cert.fingerprint) && !knownFingerprints.has(cert.fingerprint)) trust.set(cert.fingerprint, { name: trustName(record.unit, user), fingerprint: cert.fingerprint, derBase64: cert.derBase64, peer: record.unit });
    }
  }
  const untouched = new Set([...peers.refused.keys(), ...peers.pending, ...known.map((p) => p.unit)].filter(stays));
  return {
    remotes,
    trust,
    untouched,
    knownRemotes: new Map(known.map((p) => [p.hostname, p.unit])),
    knownFingerprints,
    trustPrefix: `juju-${me.split('/')[0] ?? ''}-`,
    publishLegacy: !leaving && (legacy.length > 0 || known.some((p) => p.kind === 'legacy')),
    peerUnits: [...records, ...legacy, ...known].map((p) => p.unit).sort(byUnit),
    hosts: new Map([...records, ...legacy].map((p) => [p.unit, { address: p.address, hostname: p.hostname }])),
  };
}

export interface ObservedMigration {
  /** user → that user's client config (only users the charm configures) */
  readonly clients: ReadonlyMap<string, UserClientConfig>;
  readonly trust: readonly Pick<TrustEntry, 'name' | 'fingerprint'>[];
}

/** Trust and remotes for a peer: what planRemoteChanges plans. */
export type MigrationChange =
  | { readonly kind: 'trust-cert'; readonly peer: UnitName; readonly cert: DesiredTrust }
  | { readonly kind: 'add-remote'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec }
  /** a legacy peer: join with its trust password, pinning the certificate that join saw */
  | { readonly kind: 'join-legacy-remote'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec }
  | { readonly kind: 'update-remote-url'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec; readonly from: string }
  | { readonly kind: 'update-remote-pin'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec }
  | { readonly kind: 'remove-remote'; readonly peer: UnitName; readonly user: string; readonly name: string }
  | { readonly kind: 'revoke-cert'; readonly peer: UnitName | null; readonly name: string; readonly fingerprint: string };

/** Every change the peer wiring makes: the members plan.ts's Change union takes from here. */
export type PeerChange =
  | MigrationChange
  /** an entry a departed legacy peer made with the trust password (known by fingerprint only) */
  | { readonly kind: 'revoke-legacy-trust'; readonly name: string; readonly fingerprint: string }
  /** the charm's block in /etc/hosts, one write: `text` is the whole file after `changes` */
  | { readonly kind: 'write-peer-hosts'; readonly changes: readonly HostsChange[]; readonly text: string }
  /** this unit's record in its own bag, only the keys that differ; `password`: also set the legacy trust password (a secret, never in a plan) */
  | { readonly kind: 'publish-peer-record'; readonly relationId: RelationId; readonly values: Readonly<Record<string, string>>; readonly password: boolean }
  | { readonly kind: 'remember-peer'; readonly peer: UnitName; readonly memory: RememberedPeer }
  | { readonly kind: 'forget-peer'; readonly peer: UnitName; readonly key: string }
  | { readonly kind: 'remember-peer-users'; readonly users: readonly string[] }
  | { readonly kind: 'remember-legacy-trust'; readonly text: string };

export interface MigrationPlan {
  readonly changes: readonly MigrationChange[];
  /** remote names a user already has for something else (the operator's own): left alone, reported */
  readonly conflicts: readonly RemoteConflict[];
}

export interface RemoteConflict {
  readonly user: string;
  readonly name: string;
  readonly peer: UnitName;
}

export const describeConflict = (c: RemoteConflict): string =>
  `${c.user} already has a remote named ${c.name} that the charm does not manage: peer ${c.peer} not wired for ${c.user}`;

/** juju-<app>-<n>-<user>: an entry this charm made (juju-lxd-b-1-root, another app's, is not). */
const isOwnTrustName = (name: string, prefix: string): boolean => name.startsWith(prefix) && /^\d+-[a-z_][a-z0-9_-]*$/.test(name.slice(prefix.length));

/**
 * The legacy lxd charm ran `lxc remote add <peer hostname> https://<peer address>:8443`: a remote by
 * that name to that very address is its, left behind by upgrade-charm, and the charm takes it over.
 * (An operator's own remote of that name to that peer would be taken over too: it points at the same server.)
 */
function madeByLegacyCharm(url: string | undefined, remote: RemoteSpec): boolean {
  if (url === undefined) return false;
  const host = /^https:\/\/(\[[^\]]+\]|[^:/]+):\d+$/.exec(remote.url)?.[1];
  return host !== undefined && url.replace(/\/$/, '') === `https://${host.replace(/^\[(.*)\]$/, '$1')}:8443`;
}

function remoteChanges(user: string, want: ReadonlyMap<string, RemoteSpec>, have: UserClientConfig, untouched: ReadonlySet<UnitName>, conflicts: RemoteConflict[]): MigrationChange[] {
  const changes: MigrationChange[] = [];
  for (const remote of want.values()) {
    const current = have.managed.get(remote.name);
    const { peer } = remote;
    if (!current) {
      if (have.foreign.has(remote.name) && madeByLegacyCharm(have.foreignUrls?.get(remote.name), remote)) changes.push({ kind: 'add-remote', peer, user, remote: { ...remote, takeOver: true } });
      else if (have.foreign.has(remote.name)) conflicts.push({ user, name: remote.name, peer });
      else changes.push({ kind: remote.pinnedCert === null ? 'join-legacy-remote' : 'add-remote', peer, user, remote });
      continue;
    }
    if (current.url !== remote.url) changes.push({ kind: 'update-remote-url', peer, user, remote, from: current.url });
    // a legacy remote keeps the pin its join fetched; a current one must carry the published certificate
    if (remote.pinnedCert !== null && current.pinnedCert !== remote.pinnedCert) changes.push({ kind: 'update-remote-pin', peer, user, remote });
    if (remote.pinnedCert === null && current.pinnedCert === null) changes.push({ kind: 'join-legacy-remote', peer, user, remote });
  }
  for (const current of [...have.managed.values()].sort((a, b) => byText(a.name, b.name))) {
    if (!want.has(current.name) && !untouched.has(current.peer)) changes.push({ kind: 'remove-remote', peer: current.peer, user, name: current.name });
  }
  return changes;
}

/**
 * The changes that make observed equal desired, nothing more: an unchanged world gives []. With
 * `scope`, only changes for those peer units (the peers whose records changed this hook).
 */
export function planRemoteChanges(desired: DesiredMigration, observed: ObservedMigration, scope?: ReadonlySet<UnitName>): MigrationPlan {
  const conflicts: RemoteConflict[] = [];
  const trusted = new Set(observed.trust.map((t) => t.fingerprint));
  const trustChanges: MigrationChange[] = [...desired.trust.values()].filter((t) => !trusted.has(t.fingerprint)).map((cert) => ({ kind: 'trust-cert', peer: cert.peer, cert }));
  const remote: MigrationChange[] = [];
  for (const [user, want] of desired.remotes) {
    const have = observed.clients.get(user) ?? { managed: new Map(), foreign: new Set<string>() };
    remote.push(...remoteChanges(user, want, have, desired.untouched, conflicts));
    for (const [name, peer] of desired.knownRemotes) if (!have.managed.has(name) && have.foreign.has(name)) conflicts.push({ user, name, peer });
  }
  const additions = remote.filter((c) => c.kind !== 'remove-remote');
  const removals = remote.filter((c) => c.kind === 'remove-remote');
  const revokes: MigrationChange[] = [];
  for (const entry of observed.trust) {
    if (!isOwnTrustName(entry.name, desired.trustPrefix) || desired.trust.has(entry.fingerprint) || desired.knownFingerprints.has(entry.fingerprint)) continue;
    // the unit an entry is named for (juju-lxd-2-nova → lxd/2): a lookup, not a scan of every peer
    const owner = peerOfName(entry.name, desired.trustPrefix);
    if (owner === null || !desired.untouched.has(owner)) revokes.push({ kind: 'revoke-cert', peer: owner, name: entry.name, fingerprint: entry.fingerprint });
  }
  const changes = [...trustChanges, ...additions, ...removals, ...revokes];
  return { changes: scope ? changes.filter((c) => c.peer === null || scope.has(c.peer)) : changes, conflicts };
}

/** juju-lxd-2-nova → lxd/2 (the unit a departed peer's entry was named for), when the name says so. */
function peerOfName(name: string, prefix: string): UnitName | null {
  const m = /^(\d+)-/.exec(name.slice(prefix.length));
  return m ? `${prefix.slice('juju-'.length, -1)}/${m[1]}` : null;
}

/** One line per change, for juju-log: no secrets, no certificate bodies. */
export function describePeerChange(c: PeerChange): string {
  switch (c.kind) {
    case 'trust-cert':
      return `trust ${c.cert.name} (${c.cert.fingerprint.slice(0, 12)}) from ${c.peer}`;
    case 'add-remote':
      return `${c.remote.takeOver ? 'take over the legacy charm\'s remote' : 'add remote'} ${c.remote.name} (${c.remote.url}, pinned) for ${c.user}`;
    case 'join-legacy-remote':
      return `join legacy peer ${c.peer} as remote ${c.remote.name} (${c.remote.url}) for ${c.user}`;
    case 'update-remote-url':
      return `move remote ${c.remote.name} of ${c.user} from ${c.from} to ${c.remote.url}`;
    case 'update-remote-pin':
      return `re-pin remote ${c.remote.name} of ${c.user} to the certificate ${c.peer} publishes`;
    case 'remove-remote':
      return `remove remote ${c.name} of ${c.user} (${c.peer})`;
    case 'revoke-cert':
      return `revoke ${c.name} (${c.fingerprint.slice(0, 12)})`;
    case 'revoke-legacy-trust':
      return `revoke trust entry ${c.name} (${c.fingerprint.slice(0, 12)}) that a departed legacy peer made with the trust password`;
    case 'write-peer-hosts':
      return c.changes.map(describeHostChange).join('; ');
    case 'publish-peer-record':
      return `publish ${[...Object.keys(c.values), ...(c.password ? ['password'] : [])].sort().join(', ')} on lxd-migration`;
    case 'remember-peer':
      return `remember ${c.peer} (${c.memory.wired ? 'wired' : 'waiting'})`;
    case 'forget-peer':
      return `forget ${c.peer}`;
    case 'remember-peer-users':
      return `remember the peers are wired for ${c.users.join(', ')}`;
    case 'remember-legacy-trust':
      return c.text === '' ? 'forget the legacy peers\' trust baselines' : 'remember the legacy peers\' trust baselines';
  }
}

/** The peer units a change is for: when one of its changes fails, the peer waits. */
export function peersOf(c: PeerChange): UnitName[] {
  if (c.kind === 'write-peer-hosts') return c.changes.map((h) => h.peer);
  return 'peer' in c && c.peer !== null && c.kind !== 'forget-peer' ? [c.peer] : [];
}

/** Only the keys whose value differs ("" deletes): a hook with nothing new writes nothing. */
export function bagChanges(current: Bag, wanted: Readonly<Record<string, string>>): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const [key, value] of Object.entries(wanted)) if ((current[key] ?? '') !== value) changes[key] = value;
  return changes;
}

/** What the peers' plan needs when the peers are looked at this hook (something changed for one of them). */
export interface PeerWork {
  readonly observed: ObservedMigration;
  /** /etc/hosts as it is */
  readonly hostsText: string;
  readonly legacy: LegacyTrustPlan;
}

/** This unit's own record: the keys it should hold (the legacy password apart) and its bag now. */
export interface OwnRecordInput {
  readonly relationId: RelationId;
  readonly own: Bag;
  /** every key but password: "" for a key that must go */
  readonly wanted: Readonly<Record<string, string>>;
  /** publish the trust password (a legacy peer is here and can use it) */
  readonly legacyPassword: boolean;
  /** the bag already holds the current trust password (compared by the caller: the value stays out of the plan) */
  readonly passwordCurrent: boolean;
}

export interface PeerPlanInput {
  readonly desired: DesiredMigration;
  /** null: nothing changed for any peer (a peer's hook with nothing new): no trust, remote or hosts change */
  readonly work: PeerWork | null;
  /** with a peer's own hook: only changes for the peers whose records changed */
  readonly scope: ReadonlySet<UnitName> | undefined;
  /** null: nothing to publish (no address or certificate yet, or this unit departs) */
  readonly record: OwnRecordInput | null;
  /** the peers read this hook, as they are to be remembered once wired */
  readonly fresh: ReadonlyMap<UnitName, RememberedPeer>;
  /** the relation's units now: any other unit's memory is forgotten */
  readonly members: ReadonlySet<UnitName>;
  readonly users: readonly string[];
  readonly state: Pick<CharmState, 'peerMemory' | 'peerUsers' | 'legacyTrust'>;
}

export interface PeerPlan {
  readonly changes: readonly PeerChange[];
  readonly conflicts: readonly RemoteConflict[];
}

/** The unit a memory key is for: migration-peer-lxd-b-3 → lxd-b/3. */
const unitOfKey = (key: string, prefix: string): UnitName => key.slice(prefix.length).replace(/-(\d+)$/, '/$1');

/**
 * Every change the peer wiring makes this hook, in order: legacy peers' entries revoked, trust and
 * remotes, the hosts block, this unit's record, then what it remembers. Pure: an unchanged world gives [].
 */
export function planPeers(input: PeerPlanInput): PeerPlan {
  const { desired, work, scope, record, fresh, members, users, state } = input;
  const changes: PeerChange[] = [];
  let conflicts: readonly RemoteConflict[] = [];
  if (work) {
    for (const entry of work.legacy.revoke) changes.push({ kind: 'revoke-legacy-trust', name: entry.name, fingerprint: entry.fingerprint });
    const remotes = planRemoteChanges(desired, work.observed, scope);
    changes.push(...remotes.changes);
    conflicts = remotes.conflicts;
    const hosts = planHostChanges(desired.hosts, parseHostsBlock(work.hostsText), desired.untouched, scope);
    if (hosts.length > 0) changes.push({ kind: 'write-peer-hosts', changes: hosts, text: applyHostChangesTo(work.hostsText, hosts) });
  }
  if (record) {
    const values = bagChanges(record.own, record.wanted);
    const password = record.legacyPassword && !record.passwordCurrent;
    if (Object.keys(values).length > 0 || password) changes.push({ kind: 'publish-peer-record', relationId: record.relationId, values, password });
  }
  const conflicted = new Set(conflicts.map((c) => c.peer));
  for (const [unit, peer] of [...fresh].sort(([a], [b]) => byUnit(a, b))) {
    const memory = { ...peer, wired: !conflicted.has(unit) };
    if (state.peerMemory[peerMemoryKey(unit)] !== peerMemoryText(memory)) changes.push({ kind: 'remember-peer', peer: unit, memory });
  }
  const keep = new Set([...members].map(peerMemoryKey));
  const prefix = peerMemoryKey('x/0').slice(0, -'x-0'.length);
  for (const key of Object.keys(state.peerMemory).sort()) if (!keep.has(key)) changes.push({ kind: 'forget-peer', peer: unitOfKey(key, prefix), key });
  if (JSON.stringify(users) !== JSON.stringify(state.peerUsers)) changes.push({ kind: 'remember-peer-users', users });
  if (work) {
    const text = legacyTrustText(work.legacy.memory);
    if (text !== state.legacyTrust) changes.push({ kind: 'remember-legacy-trust', text });
  }
  return { changes, conflicts };
}

/** What the peers' appliers reach: adapters, and the hook's users and legacy peers' passwords. */
export interface PeerIo {
  readonly lxd: Pick<LxdApi, 'addTrustEntry' | 'removeTrustEntry'>;
  readonly clients: ClientConfigStore;
  readonly lxc: Pick<LxcClient, 'joinLegacy'>;
  readonly hosts: HostsFile;
  readonly juju: { relationSet(id: RelationId, changes: Readonly<Record<string, string>>): Promise<void> };
  readonly trustPassword: () => Promise<{ readonly value: string; readonly hash: string }>;
  readonly peers: PeerContext;
}

export interface PeerContext {
  /** the users the plan names, resolved from passwd */
  readonly users: ReadonlyMap<string, LocalUser>;
  /** legacy peer unit → the trust password it published (a secret: never in a plan) */
  readonly passwords: ReadonlyMap<UnitName, string>;
}

/** No peer in this plan (the host's rounds). */
export const NO_PEERS: PeerContext = { users: new Map(), passwords: new Map() };

function userOf(io: PeerIo, name: string): LocalUser {
  const found = io.peers.users.get(name);
  if (!found) throw new Error(`user ${name} does not exist on this machine`);
  return found;
}

type PeerApplier<K extends PeerChange['kind']> = (change: Extract<PeerChange, { kind: K }>, io: PeerIo, state: CharmState) => Promise<Partial<CharmState> | void>;

export const peerAppliers: { readonly [K in PeerChange['kind']]: PeerApplier<K> } = {
  'trust-cert': async (c, io) => {
    await io.lxd.addTrustEntry({ name: c.cert.name, derBase64: c.cert.derBase64, projects: [] });
  },
  'add-remote': (c, io) => io.clients.writeRemote(userOf(io, c.user), c.remote),
  'update-remote-url': (c, io) => io.clients.writeRemote(userOf(io, c.user), c.remote),
  'update-remote-pin': (c, io) => io.clients.writeRemote(userOf(io, c.user), c.remote),
  'join-legacy-remote': async (c, io) => {
    const password = io.peers.passwords.get(c.peer);
    if (password === undefined) throw new Error(`cannot join ${c.remote.url} by trust password: no password published by ${c.peer}`);
    await io.lxc.joinLegacy(userOf(io, c.user), c.remote, password);
  },
  'remove-remote': (c, io) => io.clients.removeRemote(userOf(io, c.user), c.name),
  'revoke-cert': async (c, io) => {
    await io.lxd.removeTrustEntry(c.fingerprint);
  },
  'revoke-legacy-trust': async (c, io) => {
    await io.lxd.removeTrustEntry(c.fingerprint);
  },
  'write-peer-hosts': async (c, io) => {
    try {
      await io.hosts.write(c.text);
    } catch (err) {
      throw new Error(`cannot write /etc/hosts: ${err instanceof Error ? err.message : String(err)}`);
    }
  },
  'publish-peer-record': async (c, io) => {
    await io.juju.relationSet(c.relationId, c.password ? { ...c.values, password: (await io.trustPassword()).value } : c.values);
  },
  'remember-peer': async (c, _io, state) => ({ peerMemory: { ...state.peerMemory, [peerMemoryKey(c.peer)]: peerMemoryText(c.memory) } }),
  'forget-peer': async (c, _io, state) => ({ peerMemory: Object.fromEntries(Object.entries(state.peerMemory).filter(([key]) => key !== c.key)) }),
  'remember-peer-users': async (c) => ({ peerUsers: c.users }),
  'remember-legacy-trust': async (c) => ({ legacyTrust: c.text }),
};
