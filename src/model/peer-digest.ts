// The few facts about a peer that the hook entry point needs to end a peer's -joined/-changed by
// itself: which bag keys a record is read from, their digest, and the memory key and wired digest a
// converge left. Kept apart from peer-record.ts and peer-memory.ts so the entry point's bundle does
// not carry their generated validators and certificate parsing (only the schemas' key lists).
import { createHash } from 'node:crypto';
import type { Bag, UnitName } from '../juju/hook-tools';
import schemas from './peer-schemas.json';

/** The keys a record is read from: the properties its schema declares (a new key is declared there, once). */
export const RECORD_KEYS: readonly string[] = Object.keys(schemas['peer-record-v1'].properties);
/** The keys the legacy OpenStack charm publishes. */
export const LEGACY_KEYS: readonly string[] = Object.keys(schemas['legacy-peer'].properties);

export const PEER_MEMORY_PREFIX = 'migration-peer-';

/** The charm-state key for a peer's memory: migration-peer-lxd-3. */
export const peerMemoryKey = (unit: UnitName): string => PEER_MEMORY_PREFIX + unit.replace('/', '-');

/** A digest of the keys a peer's record is read from: equal digests, nothing to redo for that peer. */
export function recordDigest(bag: Bag): string {
  const keys = [...new Set([...RECORD_KEYS, ...LEGACY_KEYS])].sort();
  return createHash('sha256').update(JSON.stringify(keys.map((k) => [k, bag[k] ?? null]))).digest('hex').slice(0, 16);
}

/**
 * The digest of `unit`'s record when the memory (version 2, as peer-memory.ts writes it) says that
 * record was wired; null for anything else (no memory, not wired, refused or pending, an older
 * version, another unit's value, text that does not parse): then the full charm decides.
 */
export function wiredDigest(unit: UnitName, text: string | undefined): string | null {
  if (text === undefined || text === '') return null;
  try {
    const v = JSON.parse(text) as { v?: unknown; unit?: unknown; digest?: unknown; wired?: unknown; kind?: unknown } | null;
    const wired = v?.v === 2 && v.unit === unit && v.wired === true && (v.kind === 'record' || v.kind === 'legacy');
    return wired && typeof v.digest === 'string' && v.digest !== '' ? v.digest : null;
  } catch {
    return null;
  }
}
