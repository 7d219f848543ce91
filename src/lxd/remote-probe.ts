// Does a remote answer now, and with which certificate? A TLS handshake (no client certificate, no
// request) to the remote's host:port, comparing the presented certificate with the pinned one.
import { connect } from 'node:tls';
import { fingerprintOf } from './certificates';

export type ProbeResult = { readonly answers: true; readonly fingerprint: string } | { readonly answers: false; readonly reason: string };

export function probeRemote(url: string, timeoutMs: number): Promise<ProbeResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ answers: false, reason: `${url} is not a URL` });
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 8443);
  return new Promise((resolve) => {
    // the pin, not a CA, decides trust here: verification happens by fingerprint below
    const socket = connect({ host, port, rejectUnauthorized: false, servername: /^[\d.:]+$/.test(host) ? undefined : host, timeout: timeoutMs });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate().raw;
      done(raw ? { answers: true, fingerprint: fingerprintOf(raw) } : { answers: false, reason: 'no certificate presented' });
    });
    socket.once('timeout', () => done({ answers: false, reason: `no answer within ${timeoutMs / 1000} s` }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ answers: false, reason: err.code ?? err.message }));
  });
}
