// In-memory LxcClient: lxc runs answer from a script the test sets, probes from a table of remotes, and
// a legacy peer joins when the password matches the one its fake server holds (the remote is then
// written pinned to that server's certificate, as the real join does).
import type { ClientConfigStore, LocalUser, RemoteSpec } from '../../src/lxd/client-config-store';
import type { LxcClient, LxcResult } from '../../src/lxd/lxc-client';
import type { ProbeResult } from '../../src/lxd/remote-probe';

export class FakeLxcClient implements LxcClient {
  /** "user arg arg…" for every lxc run */
  readonly runs: string[] = [];
  /** "user remote" for every successful legacy join */
  readonly joined: string[] = [];
  /** legacy servers by URL: the password they accept and the certificate they present */
  readonly legacyServers = new Map<string, { readonly password: string; readonly serverCertPem: string }>();
  /** probe answers by URL; absent: no answer */
  readonly probes = new Map<string, ProbeResult>();
  /** what lxc answers (default: a failure naming the call) */
  lxcAnswer: (user: LocalUser, args: readonly string[]) => LxcResult = (_u, args) => ({ exitCode: 1, stdout: '', stderr: `Error: lxc ${args[0] ?? ''} is not scripted in this test` });

  constructor(private readonly clients: ClientConfigStore) {}

  readonly run = async (user: LocalUser, args: readonly string[]): Promise<LxcResult> => {
    this.runs.push([user.name, ...args].join(' '));
    return this.lxcAnswer(user, args);
  };

  async probe(url: string): Promise<ProbeResult> {
    return this.probes.get(url) ?? { answers: false, reason: 'ECONNREFUSED' };
  }

  async joinLegacy(user: LocalUser, remote: RemoteSpec, password: string): Promise<void> {
    const server = this.legacyServers.get(remote.url);
    if (!server) throw new Error(`cannot join ${remote.url} by trust password: ECONNREFUSED`);
    if (server.password !== password) throw new Error(`cannot join ${remote.url} by trust password: the peer refused the password`);
    await this.clients.ensureClientCert(user, 'fake-host');
    await this.clients.writeRemote(user, { ...remote, pinnedCert: server.serverCertPem });
    this.joined.push(`${user.name} ${remote.name}`);
  }
}
