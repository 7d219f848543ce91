// update-status runs every few minutes on every unit: it converges only when src/reconcile/quick-check.ts
// finds a reason to (no memo, the last converge did not end active, LXD changed or does not answer, or
// the last full check is an hour old). A paused unit is left as it is.
import { parseQuickCheck, reasonToConverge } from '../reconcile/quick-check';
import type { Handler } from './services';

export function makeUpdateStatus(converge: Handler): Handler {
  return async (s) => {
    const loopAttached = async (file: string, device: string): Promise<boolean> => (await s.host.loopDeviceFor(file, device)) === device;
    const check = parseQuickCheck(s.memo ? await s.memo.read() : null);
    const reason = await reasonToConverge(check, { lxd: s.lxd, now: s.now(), charmVersion: s.memo?.charmVersion ?? '', loopAttached });
    if (reason === null) return;
    await s.juju.log('INFO', `update-status: ${reason}: converging`);
    await converge(s);
  };
}
