// What a unit remembers of each peer between hooks, in its own charm state (one key per peer, so no
// value nears Juju's 64 KiB limit): the digest of the record it last read and validated, and what the
// plan needs of a peer it does not re-read: its remote name and client-certificate fingerprints.
// No certificate bodies: a peer costs a few hundred bytes, 200 peers well under the 2 MiB state quota.
import type { Bag, UnitName } from '../juju/hook-tools';
import type { PeerParse, RememberedPeer } from '../model/peer';

export type { PeerSummary, RememberedPeer } from '../model/peer';
import { validatePeerMemory } from './peer-validators.generated';

export const PEER_MEMORY_PREFIX = 'migration-peer-';

/** The charm-state key for a peer's memory: migration-peer-lxd-3. */
export const peerMemoryKey = (unit: UnitName): string => PEER_MEMORY_PREFIX + unit.replace('/', '-');

/** What to remember of a peer, from its validated parse (never from a raw bag). */
export function rememberPeer(unit: UnitName, digest: string, parsed: PeerParse): RememberedPeer {
  if ('ok' in parsed) {
    const clientFingerprints = Object.create(null) as Record<string, string>;
    for (const user of Object.keys(parsed.ok.clientCerts).sort()) clientFingerprints[user] = parsed.ok.clientCerts[user]?.fingerprint ?? '';
    return { digest, summary: { unit, kind: 'record', hostname: parsed.ok.hostname, clientFingerprints } };
  }
  if ('legacy' in parsed) return { digest, summary: { unit, kind: 'legacy', hostname: parsed.legacy.hostname, clientFingerprints: Object.create(null) as Record<string, string> } };
  return 'refused' in parsed ? { digest, refused: unit } : { digest, pending: unit };
}

const unitOf = (peer: RememberedPeer): UnitName => ('summary' in peer ? peer.summary.unit : 'refused' in peer ? peer.refused : peer.pending);

/** The stored text: compact JSON, stable key order (an unchanged peer writes nothing). */
export function peerMemoryText(peer: RememberedPeer): string {
  const head = { v: 1, unit: unitOf(peer), digest: peer.digest };
  if (!('summary' in peer)) return JSON.stringify({ ...head, kind: 'refused' in peer ? 'refused' : 'pending' });
  const { kind, hostname, clientFingerprints } = peer.summary;
  return JSON.stringify({ ...head, kind, hostname, clients: Object.fromEntries(Object.keys(clientFingerprints).sort().map((u) => [u, clientFingerprints[u]])) });
}

interface StoredPeer {
  readonly unit: string;
  readonly digest: string;
  readonly kind: 'record' | 'legacy' | 'refused' | 'pending';
  readonly hostname?: string;
  readonly clients?: Readonly<Record<string, string>>;
}

/** One stored value, schema-checked; null when it does not parse, fails the schema or sits under another unit's key. */
export function parsePeerMemory(key: string, text: string): RememberedPeer | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!validatePeerMemory(json)) return null;
  const stored = json as StoredPeer;
  if (peerMemoryKey(stored.unit) !== key) return null;
  const { unit, digest } = stored;
  if (stored.kind === 'refused') return { digest, refused: unit };
  if (stored.kind === 'pending') return { digest, pending: unit };
  const clientFingerprints = Object.create(null) as Record<string, string>;
  for (const [user, fingerprint] of Object.entries(stored.clients ?? {})) clientFingerprints[user] = fingerprint;
  return { digest, summary: { unit, kind: stored.kind, hostname: stored.hostname ?? '', clientFingerprints } };
}

/** Every peer remembered in the charm-state bag, by unit; a value that does not parse is left out (that peer is read). */
export function readPeerMemory(stateBag: Bag): Map<UnitName, RememberedPeer> {
  const peers = new Map<UnitName, RememberedPeer>();
  for (const [key, text] of Object.entries(stateBag)) {
    if (!key.startsWith(PEER_MEMORY_PREFIX)) continue;
    const peer = parsePeerMemory(key, text);
    if (peer) peers.set(unitOf(peer), peer);
  }
  return peers;
}

/** What to write (state-set) and what to delete (state-delete) so that memory holds `fresh` and nothing else. */
export interface PeerMemoryChanges {
  readonly set: Record<string, string>;
  readonly remove: readonly string[];
}

/**
 * The charm-state changes that make memory hold `fresh` (the peers read this hook) and nothing for units
 * no longer in the relation: only keys whose text differs. A departed peer's key is deleted with
 * state-delete, because Juju's state-set keeps an empty value as "" (it is never a deletion there).
 */
export function peerMemoryChanges(stateBag: Bag, fresh: ReadonlyMap<UnitName, RememberedPeer>, members: ReadonlySet<UnitName>): PeerMemoryChanges {
  const set: Record<string, string> = {};
  for (const [unit, peer] of fresh) {
    const key = peerMemoryKey(unit);
    const text = peerMemoryText(peer);
    if (stateBag[key] !== text) set[key] = text;
  }
  const keep = new Set([...members].map(peerMemoryKey));
  const remove = Object.keys(stateBag).filter((key) => key.startsWith(PEER_MEMORY_PREFIX) && !keep.has(key));
  return { set, remove };
}
