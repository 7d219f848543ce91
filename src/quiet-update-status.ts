// update-status decided at the hook entry point: when the unit's memo and one GET /1.0 show that
// nothing changed since the last converge, the hook ends there, having loaded neither the full charm
// nor node:http and run no hook tool. Any other answer, or any error, hands over to the full charm.
import { CharmDirMemo } from './juju/unit-memo';
import { probeServer } from './lxd/server-probe';
import { findSocket } from './lxd/socket-path';
import { parseQuickCheck, reasonToConverge } from './reconcile/quick-check';

/** Juju ≥ 2.8 sets hooks/<name>; older agents run hooks/<name> directly, which dispatch passes on as the path. */
export const isUpdateStatusHook = (dispatchPath: string | undefined): boolean => /(^|\/)hooks\/update-status$/.test(dispatchPath ?? '');

export async function updateStatusIsQuiet(env: Readonly<Record<string, string | undefined>>, now: Date = new Date()): Promise<boolean> {
  const check = parseQuickCheck(await new CharmDirMemo().read());
  return (await reasonToConverge(check, { server: () => probeServer(findSocket(env)) }, now)) === null;
}
