// The LXD daemon in /proc: its start time from /proc/<pid>/stat and /proc/uptime, and only for a
// running process named lxd.
import { lxdStartedAt, procLxdDaemon } from '../../src/lxd/daemon-process';

// a real line's shape: pid (comm) state ppid … starttime is field 22 (here 123456 ticks = 1234.56 s)
const stat = (comm: string, state = 'S'): string => `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 17 0 123456 1450000000 9000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;
const now = new Date('2026-12-03T18:00:00.000Z');

test('start time = now - (uptime - starttime / 100 s)', () => {
  expect(lxdStartedAt(stat('lxd'), '2234.56 4000.00\n', now)?.toISOString()).toBe('2026-12-03T17:43:20.000Z');
});

test('null for another program, a zombie, or a line that does not parse', () => {
  expect(lxdStartedAt(stat('sshd'), '2234.56 0', now)).toBeNull();
  expect(lxdStartedAt(stat('lxd) (x'), '2234.56 0', now)).toBeNull();
  expect(lxdStartedAt(stat('lxd', 'Z'), '2234.56 0', now)).toBeNull();
  expect(lxdStartedAt('4242 lxd S', '2234.56 0', now)).toBeNull();
  expect(lxdStartedAt(stat('lxd'), 'garbage', now)).toBeNull();
});

test('this machine: no lxd at a pid that does not exist; this process is not lxd', () => {
  expect(procLxdDaemon.startedAt(2 ** 22 + 7)).toBeNull();
  expect(procLxdDaemon.startedAt(process.pid)).toBeNull();
});
