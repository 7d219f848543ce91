// The LXD daemon in the process table, for update-status's quick check at the hook entry point: is
// the process the last converge talked to still running? One read of /proc/<pid>/stat and one of
// /proc/uptime; no connection to LXD.
import { readFileSync } from 'node:fs';
import type { LxdDaemon } from '../reconcile/quick-check';

/** what the kernel reports /proc times in (USER_HZ, 100 on every Linux ABI) */
const TICKS_PER_SECOND = 100;

/**
 * When the process started, from the text of its /proc/<pid>/stat and of /proc/uptime read at `now`;
 * null unless it is a running process named lxd (the daemon's name, from the deb and from the snap).
 */
export function lxdStartedAt(stat: string, uptime: string, now: Date): Date | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open || stat.slice(open + 1, close) !== 'lxd') return null;
  // after the name: field 3 (state) onwards; starttime is field 22
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  const startTicks = Number(fields[22 - 3]);
  const upSeconds = Number(uptime.split(' ')[0]);
  if (state === undefined || state === 'Z' || state === 'X' || !Number.isFinite(startTicks) || !Number.isFinite(upSeconds)) return null;
  return new Date(now.getTime() - (upSeconds - startTicks / TICKS_PER_SECOND) * 1000);
}

/** The machine's own /proc. */
export const procLxdDaemon: LxdDaemon = {
  startedAt(pid) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (err) {
      // no such process: not running; anything else is thrown (the entry point then runs the full charm)
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
      throw err;
    }
    return lxdStartedAt(stat, readFileSync('/proc/uptime', 'utf8'), new Date());
  },
};
