// The hooks that fire most and almost always find nothing to do, decided at the hook entry point:
// update-status (every five minutes on every unit), config-changed (on every agent restart, and
// when only the address could have changed), and a peer's lxd-migration -joined/-changed that brings
// a record this unit already wired (Juju fires -changed after every -joined, and again whenever the
// peer writes its bag: N-1 of them on every unit as a model grows). When the unit's memo and what the
// hook can change — for config-changed the config, the bind address and LXD (one GET /1.0), for a
// peer hook that peer's bag against this unit's memory of it — show nothing changed since the last
// converge, the hook ends there: the full charm is not loaded. update-status and the peer hooks open
// no connection to LXD (they check its daemon in /proc). Any other answer, or any error, hands over to the full charm
// (src/reconcile/quick-check.ts says what the memo is compared with).
import { bindAddress } from './juju/bind-address';
import type { HookTools, RelationId, UnitName } from './juju/hook-tools';
import type { UnitMemo } from './juju/unit-memo';
import type { ServerProbe } from './lxd/server-probe';
import { inputsDigest, parseQuickCheck, reasonToConverge, type LoopAttached, type LxdDaemon } from './reconcile/quick-check';

export type QuietHook = 'update-status' | 'config-changed' | 'peer-joined' | 'peer-changed';

const QUIET_HOOKS: Readonly<Record<string, QuietHook>> = {
  'update-status': 'update-status',
  'config-changed': 'config-changed',
  // the peer endpoint's name, as metadata.yaml declares it (handlers/peers.ts MIGRATION_ENDPOINT)
  'lxd-migration-relation-joined': 'peer-joined',
  'lxd-migration-relation-changed': 'peer-changed',
};

/** The hook this run may end early, from JUJU_DISPATCH_PATH (hooks/<name>; older agents pass the path dispatch was run as). */
export function quietCandidate(dispatchPath: string | undefined): QuietHook | null {
  const hook = /(?:^|\/)hooks\/([a-z-]+)$/.exec(dispatchPath ?? '')?.[1];
  return (hook !== undefined && Object.hasOwn(QUIET_HOOKS, hook) ? QUIET_HOOKS[hook] : undefined) ?? null;
}

export interface QuietInputs {
  readonly hook: QuietHook;
  readonly memo: UnitMemo;
  readonly lxd: { server(): Promise<ServerProbe> };
  /** the LXD daemon in the process table: update-status's check, instead of a GET */
  readonly daemon: LxdDaemon;
  /** update-status asks Juju nothing; config-changed config-get and network-get; a peer hook state-get and relation-get */
  readonly juju: () => Promise<Pick<HookTools, 'configGet' | 'networkGet' | 'stateGet' | 'relationGet'>>;
  /** a peer hook's relation and remote unit (JUJU_RELATION_ID, JUJU_REMOTE_UNIT); without them it is not quiet */
  readonly peer?: { readonly relationId: RelationId; readonly unit: UnitName };
  readonly now: Date;
  /** whether a remembered loop device still holds its file (a sysfs read) */
  readonly loopAttached?: LoopAttached;
}

/** true: nothing to do, the hook may end; false: run the full charm. */
export async function hookIsQuiet({ hook, memo, lxd, daemon, juju, now, loopAttached, peer }: QuietInputs): Promise<boolean> {
  const remembered = parseQuickCheck(await memo.read());
  const { charmVersion } = memo;
  if (hook === 'update-status') return (await reasonToConverge(remembered, { lxd, daemon, now, charmVersion, loopAttached })) === null;
  if (hook === 'peer-joined' || hook === 'peer-changed') {
    if (!peer || (await reasonToConverge(remembered, { lxd, daemon, now, charmVersion, loopAttached })) !== null) return false;
    // the peer's record as it is now against the one this unit wired: equal, and nothing this event can
    // change is left to do. peer-digest loads here, not with the entry point: its node:crypto would cost
    // update-status about a tenth of a `node -e 0` (1.32 → 1.19 once moved, bench/hook.mjs)
    const [tools, { peerMemoryKey, recordDigest, wiredDigest }] = await Promise.all([juju(), import('./model/peer-digest')]);
    const [state, bag] = await Promise.all([tools.stateGet(), tools.relationGet(peer.relationId, peer.unit)]);
    const wired = wiredDigest(peer.unit, state[peerMemoryKey(peer.unit)]);
    return wired !== null && wired === recordDigest(bag);
  }
  // config-changed: LXD's answer is awaited while the two hook tools run (each a process spawn)
  const server = lxd.server();
  server.catch(() => undefined); // its rejection is read below, after the tools
  const tools = await juju();
  const [values, address] = await Promise.all([tools.configGet(), bindAddress(tools)]);
  const inputs = inputsDigest(values, address);
  return (await reasonToConverge(remembered, { lxd: { server: () => server }, now, charmVersion, inputs, loopAttached })) === null;
}
