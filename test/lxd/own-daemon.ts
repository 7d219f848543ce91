// Starts a private LXD daemon for slow tests: own LXD_DIR, own network and mount namespaces (with its own
// /sys so LXD sees its interfaces, and an address so the main routing table exists). Killed by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LxdSocketClient } from '../../src/lxd/socket-client';
import { lxdDaemon, root, slowAllowed, type Requirement } from '../e2e/helpers/requirements';

/** what a private daemon needs: root, the lxd deb, and slow tests allowed (test/e2e/helpers/requirements.ts) */
export const realLxdDaemon: readonly Requirement[] = [root, lxdDaemon, slowAllowed];

export interface OwnDaemon {
  readonly dir: string;
  /** the daemon's pid: nsenter --net=/proc/<pid>/ns/net reaches its listener */
  readonly pid: number;
  readonly client: LxdSocketClient;
  stop(): Promise<void>;
}

export async function startOwnDaemon(prefix: string): Promise<OwnDaemon> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const script = [
    'mount -t sysfs sysfs /sys',
    'ip link set lo up',
    'ip link add hc0 type veth peer name hc1',
    'ip addr add 192.0.2.10/24 dev hc0',
    'ip link set hc1 up',
    'ip link set hc0 up',
    'exec lxd --group lxd --logfile "$LXD_DIR/lxd.log"',
  ].join(' && ');
  const daemon: ChildProcess = spawn('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', script], { env: { ...process.env, LXD_DIR: dir }, stdio: 'ignore' });
  const client = new LxdSocketClient({ socketPath: join(dir, 'unix.socket') });
  // LXD leaves its dnsmasq running when it stops (by design): everything in the private netns is ours
  const netns = (pid: number): string | null => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return null;
    }
  };
  let ourNetns: string | null = null; // read once the daemon answers: by then unshare has run
  const killNamespace = (): void => {
    if (!ourNetns || ourNetns === netns(process.pid)) return;
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (Number.isInteger(pid) && pid !== daemon.pid && netns(pid) === ourNetns) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  };
  const stop = async (): Promise<void> => {
    if (daemon.pid && daemon.exitCode === null && daemon.signalCode === null) {
      const exited = new Promise((r) => daemon.once('exit', r));
      process.kill(daemon.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
      if (daemon.exitCode === null && daemon.signalCode === null) process.kill(daemon.pid, 'SIGKILL');
    }
    killNamespace();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await client.waitReady(30_000);
    ourNetns = daemon.pid ? netns(daemon.pid) : null;
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, pid: daemon.pid ?? 0, client, stop };
}
