// update-status fires every few minutes on every unit, and config-changed on every agent restart, and
// almost always they find nothing to do. They prove that cheaply with what the last converge left in
// the unit's memo: how it ended, when, what its inputs were (config and bind address, as a digest),
// a fingerprint of LXD then (its version and the ETag of its server config: one GET) and the LXD
// daemon's pid. config-changed GETs /1.0 and compares the fingerprint; update-status at the hook
// entry point only checks that the same LXD daemon still runs (/proc, no connection: a round trip
// to LXD costs a sixth of a `node -e 0`, measured). Pools, networks, profiles, peers' remotes and
// trust, and a hand change to the server config are compared by the full converge that every other
// hook runs, and that these two run too once the last full check is FULL_CHECK_INTERVAL_MS old.
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
  /** the LXD daemon's pid when that converge ended active (GET /1.0 server_pid); 0 when unknown */
  readonly lxdPid: number;
  /** the pool's loop files and the loop devices that held them then (absent in memos from before) */
  readonly loops?: ReadonlyArray<{ readonly file: string; readonly device: string }>;
  /** an action saw LXD off its desired state (e.g. no listener): what it saw; the next hook checks everything */
  readonly recheck?: string;
}

/** Whether `device` still is the loop device of `file`: a sysfs read where it can be (loop-backing.ts). */
export type LoopAttached = (file: string, device: string) => Promise<boolean>;

/** The LXD daemon as the process table shows it. */
export interface LxdDaemon {
  /** when the process with this pid started, if it is a running LXD daemon; null if there is none */
  startedAt(pid: number): Date | null;
}

/** /proc's start times are in 1/100 s since boot and the check time comes from another clock read: this much apart is still "before" */
const START_TIME_SLACK_MS = 2000;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/**
 * A 64-bit FNV-1a hash of the config values and the bind address: what config-changed's outcome
 * depends on. Not a cryptographic hash on purpose: node:crypto costs config-changed's quick path a
 * tenth of a `node -e 0` to load (measured), and this only tells one configuration from the next.
 */
export function inputsDigest(config: CharmConfigValues, bindAddress: string | null): string {
  const values = Object.keys(config).sort().map((key) => [key, config[key]]);
  const text = JSON.stringify({ values, bindAddress });
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i += 1) hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0');
}

/** The server version and the ETag of its config, as GET /1.0 reports them. */
export const fingerprintOf = (server: Pick<ServerInfo, 'serverVersion' | 'etag'>): string => `${server.serverVersion}|${server.etag ?? ''}`;

export const quickCheckText = (check: QuickCheck): string => JSON.stringify(check);

/**
 * The memo text after an action saw LXD differ from what the last converge left (a listener unset by
 * hand, say): the quick paths would not notice it for up to an hour, so the next hook converges fully.
 * null when there is no memo: the next hook converges anyway.
 */
export function withRecheck(text: string | null, seen: string): string | null {
  const check = parseQuickCheck(text);
  return check === null ? null : quickCheckText({ ...check, recheck: seen });
}

/** null when there is no memo or it is not one of ours: the caller converges, never guesses. */
export function parseQuickCheck(text: string | null): QuickCheck | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<QuickCheck> | null;
    if (typeof v?.lastStatus !== 'string' || typeof v.fingerprint !== 'string' || typeof v.paused !== 'boolean' || typeof v.checkedAt !== 'string' || typeof v.inputs !== 'string' || typeof v.charmVersion !== 'string' || typeof v.lxdPid !== 'number') return null;
    const loops = Array.isArray(v.loops) ? v.loops.filter((l) => typeof l?.file === 'string' && typeof l.device === 'string').map((l) => ({ file: l.file, device: l.device })) : [];
    const recheck = typeof v.recheck === 'string' && v.recheck !== '' ? { recheck: v.recheck } : {};
    return { lastStatus: v.lastStatus, fingerprint: v.fingerprint, paused: v.paused, checkedAt: v.checkedAt, inputs: v.inputs, charmVersion: v.charmVersion, lxdPid: v.lxdPid, ...(loops.length > 0 ? { loops } : {}), ...recheck };
  } catch {
    return null;
  }
}

export interface QuickCheckInputs {
  readonly lxd: { server(): Promise<Pick<ServerInfo, 'serverVersion' | 'etag' | 'serverPid'>> };
  /** given (update-status at the entry point): the daemon check replaces the GET when the memo knows LXD's pid */
  readonly daemon?: LxdDaemon;
  readonly now: Date;
  /** the version of the charm running now (UnitMemo.charmVersion) */
  readonly charmVersion: string;
  /** the hook's own inputsDigest (config-changed), compared with the last converge's */
  readonly inputs?: string;
  /** given: each remembered loop file is checked (a sysfs read); a detached one is the pool's disk gone */
  readonly loopAttached?: LoopAttached;
}

/** Why a full converge is needed, or null when the memo and LXD say all is as it was. */
export async function reasonToConverge(check: QuickCheck | null, { lxd, daemon, now, charmVersion, inputs, loopAttached }: QuickCheckInputs): Promise<string | null> {
  if (check === null) return 'nothing remembered from a previous converge';
  // an upgrade may change what converge does: its first hooks converge whatever the memo says
  if (check.charmVersion !== charmVersion) return `the memo was left by charm version "${check.charmVersion}", this is "${charmVersion}"`;
  if (check.paused) return null; // LXD is stopped on purpose; the status already says so
  if (!check.lastStatus.startsWith('active|')) return 'the last converge did not end active';
  if (check.recheck !== undefined) return `an action found ${check.recheck}`;
  const age = now.getTime() - Date.parse(check.checkedAt);
  if (!(age >= 0 && age < FULL_CHECK_INTERVAL_MS)) return 'the last full check is an hour old';
  if (inputs !== undefined && inputs !== check.inputs) return 'the configuration or the bind address changed';
  // a loop file that came loose (a reboot without the boot unit, a losetup -d) takes the pool's disk away
  for (const loop of loopAttached ? (check.loops ?? []) : []) {
    if (!(await loopAttached?.(loop.file, loop.device))) return `loop file ${loop.file} is no longer attached to ${loop.device}`;
  }
  if (daemon && check.lxdPid > 0) {
    // a daemon that started after the check is another one, whatever its pid (a restart, an upgrade)
    const started = daemon.startedAt(check.lxdPid);
    return started !== null && started.getTime() <= Date.parse(check.checkedAt) + START_TIME_SLACK_MS ? null : 'the LXD daemon the last converge saw is not running';
  }
  try {
    const server = await lxd.server();
    if (check.lxdPid > 0 && server.serverPid !== undefined && server.serverPid !== check.lxdPid) return 'the LXD daemon the last converge saw is not running';
    return fingerprintOf(server) === check.fingerprint ? null : 'LXD changed since the last converge';
  } catch (err) {
    return `LXD does not answer (${err instanceof Error ? err.message : String(err)})`;
  }
}
