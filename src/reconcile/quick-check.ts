// update-status fires every few minutes on every unit and almost always finds nothing to do. It proves
// that cheaply with what the last converge left in the unit's memo: how it ended, when, and a
// fingerprint of LXD then (its version and the ETag of its server config: one GET, no hook tool).
// Pools, networks and profiles are compared by the full converge that every other hook runs, and
// that update-status runs too once the last full check is an hour old.
import type { ServerInfo } from '../lxd/lxd-api';

export const FULL_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export interface QuickCheck {
  /** "status|message" the last converge reported */
  readonly lastStatus: string;
  /** LXD when that converge ended active; "" otherwise */
  readonly fingerprint: string;
  /** the pause action stopped LXD: nothing to check until resume */
  readonly paused: boolean;
  /** when the last full converge ran (ISO time) */
  readonly checkedAt: string;
}

/** The server version and the ETag of its config, as GET /1.0 reports them. */
export const fingerprintOf = (server: Pick<ServerInfo, 'serverVersion' | 'etag'>): string => `${server.serverVersion}|${server.etag ?? ''}`;

export const quickCheckText = (check: QuickCheck): string => JSON.stringify(check);

/** null when there is no memo or it is not one of ours: the caller converges, never guesses. */
export function parseQuickCheck(text: string | null): QuickCheck | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<QuickCheck> | null;
    if (typeof v?.lastStatus !== 'string' || typeof v.fingerprint !== 'string' || typeof v.paused !== 'boolean' || typeof v.checkedAt !== 'string') return null;
    return { lastStatus: v.lastStatus, fingerprint: v.fingerprint, paused: v.paused, checkedAt: v.checkedAt };
  } catch {
    return null;
  }
}

/** Why update-status must run a full converge, or null when the memo and LXD say all is as it was. */
export async function reasonToConverge(check: QuickCheck | null, lxd: { server(): Promise<Pick<ServerInfo, 'serverVersion' | 'etag'>> }, now: Date): Promise<string | null> {
  if (check === null) return 'nothing remembered from a previous converge';
  if (check.paused) return null; // LXD is stopped on purpose; the status already says so
  if (!check.lastStatus.startsWith('active|')) return 'the last converge did not end active';
  const age = now.getTime() - Date.parse(check.checkedAt);
  if (!(age >= 0 && age < FULL_CHECK_INTERVAL_MS)) return 'the last full check is an hour old';
  try {
    return fingerprintOf(await lxd.server()) === check.fingerprint ? null : 'LXD changed since the last converge';
  } catch (err) {
    return `LXD does not answer (${err instanceof Error ? err.message : String(err)})`;
  }
}
