// What a unit remembers of each peer between hooks, in its own charm state (one key per peer, so no
// value nears Juju's 64 KiB limit): the digest of the record it last read and validated, whether that
// record was wired, and what the plan needs of a peer it does not re-read: its remote name and
// client-certificate fingerprints. No certificate bodies: a peer costs a few hundred bytes, 200 peers
// well under the 2 MiB state quota. This is the charm's one memory of peers: before it, a second key
// (migration-wiring) held the wired digests and the users; a unit carrying it is upgraded on read.
import type { Bag, UnitName } from '../juju/hook-tools';
import type { RememberedPeer } from './peer';
import type { PeerParse } from './peer-record';
import { PEER_MEMORY_PREFIX, peerMemoryKey } from './peer-digest';

export type { PeerSummary, RememberedPeer } from './peer';
import { validatePeerMemory } from './peer-validators.generated';

export { PEER_MEMORY_PREFIX, peerMemoryKey } from './peer-digest';
/** the memory's old second key: {users, peers: unit → wired digest}; read once to upgrade, then deleted */
export const OLD_WIRING_KEY = 'migration-wiring';
const VERSION = 2;

/** What to remember of a peer, from its validated parse (never from a raw bag). */
export function rememberPeer(unit: UnitName, digest: string, parsed: PeerParse, wired = true): RememberedPeer {
  if ('ok' in parsed) {
    const clientFingerprints = Object.create(null) as Record<string, string>;
    for (const user of Object.keys(parsed.ok.clientCerts).sort()) clientFingerprints[user] = parsed.ok.clientCerts[user]?.fingerprint ?? '';
    return { digest, wired, summary: { unit, kind: 'record', hostname: parsed.ok.hostname, clientFingerprints } };
  }
  if ('legacy' in parsed) return { digest, wired, summary: { unit, kind: 'legacy', hostname: parsed.legacy.hostname, clientFingerprints: Object.create(null) as Record<string, string> } };
  return 'refused' in parsed ? { digest, wired, refused: unit } : { digest, wired, pending: unit };
}

export const unitOf = (peer: RememberedPeer): UnitName => ('summary' in peer ? peer.summary.unit : 'refused' in peer ? peer.refused : peer.pending);

/** The stored text: compact JSON, stable key order (an unchanged peer writes nothing). */
export function peerMemoryText(peer: RememberedPeer): string {
  const head = { v: VERSION, unit: unitOf(peer), digest: peer.digest, wired: peer.wired };
  if (!('summary' in peer)) return JSON.stringify({ ...head, kind: 'refused' in peer ? 'refused' : 'pending' });
  const { kind, hostname, clientFingerprints } = peer.summary;
  return JSON.stringify({ ...head, kind, hostname, clients: Object.fromEntries(Object.keys(clientFingerprints).sort().map((u) => [u, clientFingerprints[u]])) });
}

interface StoredPeer {
  readonly v: 1 | 2;
  readonly unit: string;
  readonly digest: string;
  readonly wired?: boolean;
  readonly kind: 'record' | 'legacy' | 'refused' | 'pending';
  readonly hostname?: string;
  readonly clients?: Readonly<Record<string, string>>;
}

/**
 * One stored value, schema-checked; null when it does not parse, fails the schema or sits under another
 * unit's key. A version-1 value says nothing of wiring: `wiredDigests` (the old key's) does.
 */
export function parsePeerMemory(key: string, text: string, wiredDigests: Readonly<Record<UnitName, string>> = {}): RememberedPeer | null {
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
  const wired = stored.v === 1 ? wiredDigests[unit] === digest : stored.wired === true;
  if (stored.kind === 'refused') return { digest, wired, refused: unit };
  if (stored.kind === 'pending') return { digest, wired, pending: unit };
  const clientFingerprints = Object.create(null) as Record<string, string>;
  for (const [user, fingerprint] of Object.entries(stored.clients ?? {})) clientFingerprints[user] = fingerprint;
  return { digest, wired, summary: { unit, kind: stored.kind, hostname: stored.hostname ?? '', clientFingerprints } };
}

/** Every peer remembered (state key → text, as CharmState.peerMemory holds it), by unit; a value that does not parse is left out (that peer is read). */
export function readPeerMemory(memory: Readonly<Record<string, string>>): Map<UnitName, RememberedPeer> {
  const peers = new Map<UnitName, RememberedPeer>();
  for (const [key, text] of Object.entries(memory)) {
    const peer = parsePeerMemory(key, text);
    if (peer) peers.set(unitOf(peer), peer);
  }
  return peers;
}

interface OldWiring {
  readonly users: readonly string[];
  readonly peers: Readonly<Record<UnitName, string>>;
}

function readOldWiring(text: string | undefined): OldWiring | null {
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

/**
 * The peer memory in a charm-state bag (state key → text), version-1 values upgraded with the old
 * wiring key's digests; `users` is that key's user list (null without it). A value that does not
 * parse is kept as it is: it is no memory (that peer is read) and the next read of the peer replaces it.
 */
export function readPeerMemoryBag(bag: Bag): { readonly memory: Record<string, string>; readonly oldUsers: readonly string[] | null } {
  const old = readOldWiring(bag[OLD_WIRING_KEY]);
  const memory: Record<string, string> = {};
  for (const [key, text] of Object.entries(bag)) {
    if (!key.startsWith(PEER_MEMORY_PREFIX) || text === '') continue;
    const peer = text.includes('"v":1,') ? parsePeerMemory(key, text, old?.peers) : null;
    memory[key] = peer ? peerMemoryText(peer) : text;
  }
  return { memory, oldUsers: old?.users ?? null };
}
