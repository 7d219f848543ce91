// Joining a legacy peer (OpenStack lxd charm): it publishes a trust password and no certificate, so
// this is trust on first use by necessity. The password travels only in an HTTPS body (never argv or
// a log); the certificate seen before and after the join must be the same, and it becomes the pin.
import { request } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { pemOf } from './certificates';
import type { ClientConfigStore, LocalUser, RemoteSpec } from './client-config-store';

export interface PasswordJoin {
  /** https://<address>:<port> */
  readonly url: string;
  /** a secret */
  readonly password: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** the byte stream under TLS (tests reach a daemon in another network namespace through it) */
  readonly connect?: () => Duplex;
  readonly timeoutMs?: number;
}

/** A password join failed: the peer's URL, the HTTP status (0: no answer) and why. */
export class LegacyJoinError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`cannot join ${url} by trust password: ${reason}`);
    this.name = 'LegacyJoinError';
  }
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly serverDer: Buffer;
}

function exchange(join: PasswordJoin, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const url = new URL(join.url);
  const tls = { cert: join.clientCertPem, key: join.clientKeyPem, rejectUnauthorized: false };
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...tls,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || 8443),
        method,
        path,
        timeout: join.timeoutMs ?? 15_000,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {},
        // a fresh connection each time (no pooled socket); createConnection is honoured only without an agent
        ...(join.connect ? { createConnection: () => tlsConnect({ ...tls, socket: join.connect?.() }) } : { agent: false }),
      },
      (res) => {
        const serverDer = (res.socket as TLSSocket).getPeerX509Certificate()?.raw ?? Buffer.alloc(0);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            /* not LXD: status tells */
          }
          const record = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
          resolve({ status: res.statusCode ?? 0, body: record, serverDer });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(new LegacyJoinError(join.url, 0, err.message)));
    if (payload) req.write(payload);
    req.end();
  });
}

const authOf = (a: Answer): unknown => (a.body.metadata !== null && typeof a.body.metadata === 'object' ? (a.body.metadata as Record<string, unknown>).auth : undefined);

/** Makes the peer trust our client certificate with its password; returns the server certificate to pin. */
export async function joinByPassword(join: PasswordJoin): Promise<{ readonly serverCertPem: string; readonly alreadyTrusted: boolean }> {
  const before = await exchange(join, 'GET', '/1.0');
  if (before.status !== 200 || before.serverDer.length === 0) throw new LegacyJoinError(join.url, before.status, 'no LXD answered');
  const alreadyTrusted = authOf(before) === 'trusted';
  if (!alreadyTrusted) {
    const added = await exchange(join, 'POST', '/1.0/certificates', { type: 'client', password: join.password });
    if (added.status === 403) throw new LegacyJoinError(join.url, 403, 'the peer refused the password');
    if (added.status === 501 || /no longer supported/i.test(String(added.body.error ?? ''))) {
      throw new LegacyJoinError(join.url, added.status, 'the peer runs LXD 6.1 or later, which no longer accepts trust passwords');
    }
    if (added.status >= 300) throw new LegacyJoinError(join.url, added.status, String(added.body.error ?? `HTTP ${added.status}`));
  }
  const after = await exchange(join, 'GET', '/1.0');
  if (!after.serverDer.equals(before.serverDer)) throw new LegacyJoinError(join.url, after.status, 'the server certificate changed during the join');
  if (authOf(after) !== 'trusted') throw new LegacyJoinError(join.url, after.status, 'the peer still does not trust this client');
  return { serverCertPem: pemOf(before.serverDer), alreadyTrusted };
}

export interface LegacyJoinerOptions {
  readonly clients: ClientConfigStore;
  /** this machine's host name, for a client certificate made on the way */
  readonly hostname: string;
  readonly connect?: (remote: RemoteSpec) => Duplex;
}

/** Joins a legacy peer by the trust password it published, as the user; then writes the remote pinned to what the join saw. */
export type LegacyJoiner = (user: LocalUser, remote: RemoteSpec, password: string) => Promise<void>;

export function makeLegacyJoiner(options: LegacyJoinerOptions): LegacyJoiner {
  return async (user, remote, password) => {
    const clientCertPem = await options.clients.ensureClientCert(user, options.hostname);
    const clientKeyPem = await options.clients.clientKey(user);
    const connect = options.connect;
    const { serverCertPem } = await joinByPassword({ url: remote.url, password, clientCertPem, clientKeyPem, ...(connect ? { connect: () => connect(remote) } : {}) });
    await options.clients.writeRemote(user, { ...remote, pinnedCert: serverCertPem });
  };
}
