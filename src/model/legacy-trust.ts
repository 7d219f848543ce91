// What a legacy peer (the OpenStack lxd charm) does to this unit's LXD, and what it cannot do. It
// adds its own client certificates with the trust password this unit publishes, under names it
// chooses, so the charm knows those entries only by fingerprint: the trust store as it was when the
// peer first appeared (its baseline) and the entries that appeared since, recorded as they are seen.
// When the peer departs, the entries it can have made are revoked; an entry that another legacy peer
// still here could have made is kept (and logged). A legacy peer dials port 8443 and joins by
// password only: where https-port is another port or LXD has no password trust, it cannot join.
import type { UnitName } from '../juju/hook-tools';
import { supportsTrustPassword, type ServerInfo, type TrustEntry } from '../lxd/lxd-api';

type TrustedCert = Pick<TrustEntry, 'name' | 'fingerprint' | 'type'>;
import { LEGACY_PORT } from './peer-record';

/** charm-state key (CharmState.legacyTrust): per legacy peer, the trust fingerprints before it came and those that appeared since */
export const LEGACY_TRUST_STATE_KEY = 'legacy-trust';

export interface LegacyTrust {
  /** fingerprints trusted when the peer was first seen: it made none of them */
  readonly before: readonly string[];
  /** fingerprints that appeared while it was here and no other legacy peer could have made */
  readonly made: readonly string[];
}

export type LegacyTrustMemory = Readonly<Record<UnitName, LegacyTrust>>;

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

/** The memory from its stored text (CharmState.legacyTrust). */
export function readLegacyTrust(text: string): LegacyTrustMemory {
  const memory: Record<UnitName, LegacyTrust> = Object.create(null) as Record<UnitName, LegacyTrust>;
  try {
    const json: unknown = JSON.parse(text || '{}');
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return memory;
    for (const [unit, entry] of Object.entries(json as Record<string, unknown>)) {
      if (entry === null || typeof entry !== 'object') continue;
      const { before, made } = entry as { before?: unknown; made?: unknown };
      memory[unit] = { before: strings(before), made: strings(made) };
    }
  } catch {
    /* unreadable memory: start again from now */
  }
  return memory;
}

export const legacyTrustText = (memory: LegacyTrustMemory): string =>
  Object.keys(memory).length === 0 ? '' : JSON.stringify(Object.fromEntries(Object.entries(memory).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

export interface LegacyTrustInput {
  readonly memory: LegacyTrustMemory;
  /** legacy peers in the relation now (not departing) */
  readonly present: readonly UnitName[];
  /** the trust store now */
  readonly entries: readonly TrustedCert[];
  /** juju-<app>-: the entries the charm makes for its own peers, never a legacy peer's */
  readonly managedPrefix: string;
}

export interface LegacyTrustPlan {
  readonly memory: LegacyTrustMemory;
  /** entries of departed legacy peers: revoke */
  readonly revoke: readonly TrustedCert[];
  /** entries a departed legacy peer may have made, but so may a legacy peer still here: kept */
  readonly kept: ReadonlyArray<{ readonly entry: TrustedCert; readonly departed: UnitName; readonly others: readonly UnitName[] }>;
}

export function planLegacyTrust({ memory, present, entries, managedPrefix }: LegacyTrustInput): LegacyTrustPlan {
  const all = entries.map((e) => e.fingerprint);
  const next: Record<UnitName, LegacyTrust> = Object.create(null) as Record<UnitName, LegacyTrust>;
  for (const unit of present) next[unit] = memory[unit] ?? { before: all, made: [] };
  // an entry appeared after peer U came; it is U's alone when every other legacy peer here had it before it came
  const unmanaged = entries.filter((e) => !e.name.startsWith(managedPrefix));
  const couldHaveMade = (unit: UnitName, fingerprint: string): boolean => {
    const peer = next[unit] ?? memory[unit];
    return peer !== undefined && !peer.before.includes(fingerprint);
  };
  for (const unit of present) {
    const peer = next[unit];
    if (!peer) continue;
    const others = present.filter((u) => u !== unit);
    const made = unmanaged.filter((e) => couldHaveMade(unit, e.fingerprint) && !others.some((o) => couldHaveMade(o, e.fingerprint))).map((e) => e.fingerprint);
    next[unit] = { before: peer.before, made: [...new Set([...peer.made.filter((f) => all.includes(f)), ...made])].sort() };
  }
  const revoke: TrustedCert[] = [];
  const kept: Array<{ entry: TrustedCert; departed: UnitName; others: UnitName[] }> = [];
  for (const departed of Object.keys(memory).filter((u) => !present.includes(u))) {
    const peer = memory[departed];
    if (!peer) continue;
    for (const entry of unmanaged) {
      if (!peer.made.includes(entry.fingerprint) && peer.before.includes(entry.fingerprint)) continue;
      const others = present.filter((o) => couldHaveMade(o, entry.fingerprint));
      if (others.length > 0 && !peer.made.includes(entry.fingerprint)) kept.push({ entry, departed, others });
      else if (!revoke.includes(entry)) revoke.push(entry);
    }
  }
  return { memory: next, revoke, kept };
}

/** Why legacy peers cannot join this unit (one line each, naming the peer), or nothing. */
export function legacyJoinProblems(legacyPeers: readonly UnitName[], port: number, server: ServerInfo): string[] {
  const why: string[] = [];
  if (port !== LEGACY_PORT) why.push(`it dials port ${LEGACY_PORT} and https-port is ${port} (set https-port=${LEGACY_PORT} while legacy peers remain)`);
  if (!supportsTrustPassword(server)) why.push(`it joins by trust password and LXD ${server.serverVersion} has none (core.trust_password); move that peer to this charm`);
  if (why.length === 0) return [];
  return legacyPeers.map((unit) => `legacy peer ${unit} cannot join this unit: ${why.join('; and ')}`);
}
