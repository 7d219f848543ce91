// A peer on lxd-migration as this unit knows it without reading its bag: what it remembers of it
// between hooks (peer-memory.ts, the one memory of peers). What a bag parses to is the record's own
// (peer-record.ts). Types only, so that neither module needs the other's code.
import type { UnitName } from '../juju/hook-tools';

/** A peer with a usable record (current or legacy), known from memory: enough to plan around it. */
export interface PeerSummary {
  readonly unit: UnitName;
  readonly kind: 'record' | 'legacy';
  /** its remote name */
  readonly hostname: string;
  /** user → fingerprint of that user's client certificate (null prototype; none for a legacy peer) */
  readonly clientFingerprints: Readonly<Record<string, string>>;
}

/**
 * One peer as remembered: the digest of its bag then, what that bag was, and whether the hook that
 * read it wired it (false: it waits, and the next hook reads its bag again).
 */
export type RememberedPeer = { readonly digest: string; readonly wired: boolean } & (
  | { readonly summary: PeerSummary }
  | { readonly refused: UnitName }
  | { readonly pending: UnitName }
);

