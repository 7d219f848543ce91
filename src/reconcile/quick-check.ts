// update-status fires every few minutes on every unit, and config-changed on every agent restart, and
// almost always they find nothing to do. They prove that cheaply with what the last converge left in
// the unit's memo: how it ended, when, what its inputs were (config and bind address, as a digest)
// and a fingerprint of LXD then (its version and the ETag of its server config: one GET). Pools,
// networks, profiles and peers are compared by the full converge that every other hook runs, and
// that these two run too once the last full check is an hour old.
import type { CharmConfigValues } from '../juju/hook-tools';
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
  /** inputsDigest() of that converge */
  readonly inputs: string;
  /** the charm version that wrote it (the packed `version` file): another version's memo is not trusted */
  readonly charmVersion: string;
}

/** SHA-256 of the config values and the bind address: what config-changed's outcome depends on. */
export async function inputsDigest(config: CharmConfigValues, bindAddress: string | null): Promise<string> {
  // loaded here: update-status's quick path needs no digest and should not pay for node:crypto
  const { createHash } = await import('node:crypto');
  const values = Object.keys(config).sort().map((key) => [key, config[key]]);
  return createHash('sha256').update(JSON.stringify({ values, bindAddress })).digest('hex');
}

/** The server version and the ETag of its config, as GET /1.0 reports them. */
export const fingerprintOf = (server: Pick<ServerInfo, 'serverVersion' | 'etag'>): string => `${server.serverVersion}|${server.etag ?? ''}`;

export const quickCheckText = (check: QuickCheck): string => JSON.stringify(check);

/** null when there is no memo or it is not one of ours: the caller converges, never guesses. */
export function parseQuickCheck(text: string | null): QuickCheck | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<QuickCheck> | null;
    if (typeof v?.lastStatus !== 'string' || typeof v.fingerprint !== 'string' || typeof v.paused !== 'boolean' || typeof v.checkedAt !== 'string' || typeof v.inputs !== 'string' || typeof v.charmVersion !== 'string') return null;
    return { lastStatus: v.lastStatus, fingerprint: v.fingerprint, paused: v.paused, checkedAt: v.checkedAt, inputs: v.inputs, charmVersion: v.charmVersion };
  } catch {
    return null;
  }
}

export interface QuickCheckInputs {
  readonly lxd: { server(): Promise<Pick<ServerInfo, 'serverVersion' | 'etag'>> };
  readonly now: Date;
  /** the version of the charm running now (UnitMemo.charmVersion) */
  readonly charmVersion: string;
  /** the hook's own inputsDigest (config-changed), compared with the last converge's */
  readonly inputs?: string;
}

/** Why a full converge is needed, or null when the memo and LXD say all is as it was. */
export async function reasonToConverge(check: QuickCheck | null, { lxd, now, charmVersion, inputs }: QuickCheckInputs): Promise<string | null> {
  if (check === null) return 'nothing remembered from a previous converge';
  // an upgrade may change what converge does: its first hooks converge whatever the memo says
  if (check.charmVersion !== charmVersion) return `the memo was left by charm version "${check.charmVersion}", this is "${charmVersion}"`;
  if (check.paused) return null; // LXD is stopped on purpose; the status already says so
  if (!check.lastStatus.startsWith('active|')) return 'the last converge did not end active';
  const age = now.getTime() - Date.parse(check.checkedAt);
  if (!(age >= 0 && age < FULL_CHECK_INTERVAL_MS)) return 'the last full check is an hour old';
  if (inputs !== undefined && inputs !== check.inputs) return 'the configuration or the bind address changed';
  try {
    return fingerprintOf(await lxd.server()) === check.fingerprint ? null : 'LXD changed since the last converge';
  } catch (err) {
    return `LXD does not answer (${err instanceof Error ? err.message : String(err)})`;
  }
}
