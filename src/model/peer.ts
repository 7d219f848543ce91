// The one model of a peer on lxd-migration: what its bag parses to (peer-record.ts) and what this unit
// remembers of it between hooks (peer-memory.ts, the one memory of peers). Types only, so that neither module needs the other's.
import type { UnitName } from '../juju/hook-tools';
import type { Certificate } from '../lxd/certificates';

export interface PeerRecord {
  readonly unit: UnitName;
  readonly hostname: string;
  readonly address: string;
  readonly port: number;
  readonly serverCert: Certificate;
  /** local user → that user's client certificate (null prototype) */
  readonly clientCerts: Readonly<Record<string, Certificate>>;
}

/** A peer running the OpenStack lxd charm: it joins by trust password and pins nothing. */
export interface LegacyPeer {
  readonly unit: UnitName;
  readonly hostname: string;
  readonly address: string;
  readonly port: number;
  /** a secret: never logged, never in a plan */
  readonly password: string;
  readonly pool: string | null;
}

export interface PeerProblem {
  readonly peer: UnitName;
  readonly field: string;
  readonly message: string;
}

export type PeerParse =
  | { readonly ok: PeerRecord }
  | { readonly legacy: LegacyPeer }
  | { readonly refused: readonly PeerProblem[] }
  /** joined, nothing published yet */
  | { readonly pending: UnitName };

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

