// The two hooks that fire most and almost always find nothing to do, decided at the hook entry point:
// update-status (every five minutes on every unit) and config-changed (on every agent restart, and
// when only the address could have changed). When the unit's memo, one GET /1.0 and — for
// config-changed — the config and bind address show nothing changed since the last converge, the hook
// ends there: the full charm is not loaded, update-status runs no hook tool and opens no connection
// (it checks the LXD daemon in /proc). Any other answer, or any error, hands over to the full charm
// (src/reconcile/quick-check.ts says what is compared).
import { bindAddress } from './juju/bind-address';
import type { HookTools } from './juju/hook-tools';
import type { UnitMemo } from './juju/unit-memo';
import type { ServerProbe } from './lxd/server-probe';
import { inputsDigest, parseQuickCheck, reasonToConverge, type LoopAttached, type LxdDaemon } from './reconcile/quick-check';

export type QuietHook = 'update-status' | 'config-changed';

/** The hook this run may end early, from JUJU_DISPATCH_PATH (hooks/<name>; older agents pass the path dispatch was run as). */
export function quietCandidate(dispatchPath: string | undefined): QuietHook | null {
  const hook = /(?:^|\/)hooks\/(update-status|config-changed)$/.exec(dispatchPath ?? '')?.[1];
  return hook === 'update-status' || hook === 'config-changed' ? hook : null;
}

export interface QuietInputs {
  readonly hook: QuietHook;
  readonly memo: UnitMemo;
  readonly lxd: { server(): Promise<ServerProbe> };
  /** the LXD daemon in the process table: update-status's check, instead of a GET */
  readonly daemon: LxdDaemon;
  /** only config-changed asks Juju anything (config-get, network-get) */
  readonly juju: () => Promise<Pick<HookTools, 'configGet' | 'networkGet'>>;
  readonly now: Date;
  /** whether a remembered loop device still holds its file (a sysfs read) */
  readonly loopAttached?: LoopAttached;
}

/** true: nothing to do, the hook may end; false: run the full charm. */
export async function hookIsQuiet({ hook, memo, lxd, daemon, juju, now, loopAttached }: QuietInputs): Promise<boolean> {
  const remembered = parseQuickCheck(await memo.read());
  const { charmVersion } = memo;
  if (hook === 'update-status') return (await reasonToConverge(remembered, { lxd, daemon, now, charmVersion, loopAttached })) === null;
  // config-changed: LXD's answer is awaited while the two hook tools run (each a process spawn)
  const server = lxd.server();
  server.catch(() => undefined); // its rejection is read below, after the tools
  const tools = await juju();
  const [values, address] = await Promise.all([tools.configGet(), bindAddress(tools)]);
  const inputs = inputsDigest(values, address);
  return (await reasonToConverge(remembered, { lxd: { server: () => server }, now, charmVersion, inputs, loopAttached })) === null;
}
