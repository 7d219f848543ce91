// Pure: from this unit, its local users and its peers' records, the remotes every user should have and
// the client certificates LXD should trust; then the minimal changes from what is observed.
import type { Bag, UnitName } from '../juju/hook-tools';
import type { HostEntry } from './peer-hosts';
import { byUnit, type LegacyPeer, type PeerRecord, type PeerSet } from './peer-record';
import type { RemoteSpec, UserClientConfig } from '../lxd/client-config-store';
import type { TrustEntry } from '../lxd/lxd-api';
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

export type MigrationChange =
  | { readonly kind: 'trust-cert'; readonly peer: UnitName; readonly cert: DesiredTrust }
  | { readonly kind: 'add-remote'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec }
  /** a legacy peer: join with its trust password, pinning the certificate that join saw */
  | { readonly kind: 'join-legacy-remote'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec }
  | { readonly kind: 'update-remote-url'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec; readonly from: string }
  | { readonly kind: 'update-remote-pin'; readonly peer: UnitName; readonly user: string; readonly remote: RemoteSpec }
  | { readonly kind: 'remove-remote'; readonly peer: UnitName; readonly user: string; readonly name: string }
  | { readonly kind: 'revoke-cert'; readonly peer: UnitName | null; readonly name: string; readonly fingerprint: string };

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
export function describeMigrationChange(c: MigrationChange): string {
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
  }
}

/** Peers with nothing left to do, and the ones still waiting (by the changes a plan still holds). */
export function wiring(desired: DesiredMigration, remaining: MigrationPlan): { readonly wired: readonly UnitName[]; readonly waiting: readonly UnitName[] } {
  const busy = new Set(remaining.changes.flatMap((c) => (c.peer ? [c.peer] : [])));
  for (const conflict of remaining.conflicts) busy.add(conflict.peer);
  return { wired: desired.peerUnits.filter((u) => !busy.has(u)), waiting: desired.peerUnits.filter((u) => busy.has(u)) };
}

/** The keys this unit's own bag should hold besides its record: the legacy ones, only while needed. */
export function legacyBag(publish: boolean, legacy: { readonly password: string; readonly pool: string } | null): Record<string, string> {
  return publish && legacy ? { password: legacy.password, pool: legacy.pool } : { password: '', pool: '' };
}

/** Only the keys whose value differs ("" deletes): a hook with nothing new writes nothing. */
export function bagChanges(current: Bag, wanted: Readonly<Record<string, string>>): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const [key, value] of Object.entries(wanted)) if ((current[key] ?? '') !== value) changes[key] = value;
  return changes;
}
