// This machine's lxc client as the peer wiring and the actions use it: lxc run as a local user, a TLS
// probe of a remote, a legacy peer joined by its trust password. adapters.ts builds the real one
// (each part loads its node built-ins only when used); test/fakes/fake-lxc-client.ts is in memory.
// lxc runs as the user through runuser (which also sets the supplementary
// groups: lxd's socket needs the lxd group), with the user's HOME, a fixed PATH and stdin closed so no
// prompt can wait.
import type { LocalUser, RemoteSpec } from './client-config-store';
import type { ProbeResult } from './remote-probe';

export interface LxcResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type LxcRunner = (user: LocalUser, args: readonly string[]) => Promise<LxcResult>;

export interface LxcClient {
  /** runs lxc as the user (its HOME, uid and gid), stdin closed */
  run: LxcRunner;
  /** does the remote answer, and with which certificate (a TLS handshake, no request) */
  probe(url: string, timeoutMs: number): Promise<ProbeResult>;
  /** makes a legacy peer trust the user's client certificate with its password, then writes the remote pinned to what the join saw */
  joinLegacy(user: LocalUser, remote: RemoteSpec, password: string): Promise<void>;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin';
const LXC_TIMEOUT_MS = 1_800_000;

export const lxcAs: LxcRunner = async (user, args) => {
  const { runProcess } = await import('../host/run-process');
  const [command, argv] = user.uid === 0 ? ['lxc', [...args]] : ['runuser', ['-u', user.name, '--', 'lxc', ...args]];
  const result = await runProcess(command, argv, { env: { PATH, LANG: 'C.UTF-8', HOME: user.home, USER: user.name }, cwd: '/', timeoutMs: LXC_TIMEOUT_MS });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr || (result.exitCode === 0 ? '' : `${command}: ${result.reason}`) };
};
