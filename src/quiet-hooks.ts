// The two hooks that fire most and almost always find nothing to do, decided at the hook entry point:
// update-status (every five minutes on every unit) and config-changed (on every agent restart, and
// when only the address could have changed). When the unit's memo, one GET /1.0 and — for
// config-changed — the config and bind address show nothing changed since the last converge, the hook
// ends there: the full charm is not loaded, update-status runs no hook tool at all. Any other answer,
// or any error, hands over to the full charm (src/reconcile/quick-check.ts says what is compared).
import { bindAddress } from './juju/bind-address';
import type { HookTools } from './juju/hook-tools';
import type { UnitMemo } from './juju/unit-memo';
import type { ServerProbe } from './lxd/server-probe';
import { inputsDigest, parseQuickCheck, reasonToConverge } from './reconcile/quick-check';

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
  /** only config-changed asks Juju anything (config-get, network-get) */
  readonly juju: () => Promise<Pick<HookTools, 'configGet' | 'networkGet'>>;
  readonly now: Date;
}

/** true: nothing to do, the hook may end; false: run the full charm. */
export async function hookIsQuiet({ hook, memo, lxd, juju, now }: QuietInputs): Promise<boolean> {
  const remembered = memo.read().then(parseQuickCheck);
  let inputs: string | undefined;
  if (hook === 'config-changed') {
    const tools = await juju();
    const [values, address] = await Promise.all([tools.configGet(), bindAddress(tools)]);
    inputs = await inputsDigest(values, address);
  }
  return (await reasonToConverge(await remembered, { lxd, now, charmVersion: memo.charmVersion, inputs })) === null;
}
