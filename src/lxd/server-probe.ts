// GET /1.0 in a few lines of HTTP/1.0 over node:net, for the one path where loading node:http costs too
// much: update-status's quick check at the hook entry point (node:http and its request machinery cost
// a fifth of a `node -e 0`, measured). HTTP/1.0 makes LXD's server answer without chunked encoding
// and close the connection after the body. Anything unexpected is an error: the caller converges.
import { connect } from 'node:net';
import type { ServerInfo } from './lxd-api';

export type ServerProbe = Pick<ServerInfo, 'serverVersion' | 'etag' | 'serverPid'>;

function parse(socketPath: string, text: string): ServerProbe {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`${socketPath}: no complete HTTP answer`);
  const [statusLine = '', ...headers] = text.slice(0, end).split('\r\n');
  if (!/^HTTP\/1\.[01] 200 /.test(statusLine)) throw new Error(`${socketPath}: GET /1.0 answered "${statusLine.slice(0, 80)}"`);
  const etag = headers.map((line) => /^etag:\s*(.*)$/i.exec(line)?.[1]?.trim()).find((v) => v !== undefined);
  const body = JSON.parse(text.slice(end + 4)) as { metadata?: { environment?: { server_version?: unknown; server_pid?: unknown } } };
  const version = body.metadata?.environment?.server_version;
  if (typeof version !== 'string') throw new Error(`${socketPath}: GET /1.0 has no server version`);
  const pid = body.metadata?.environment?.server_pid;
  return { serverVersion: version, ...(etag === undefined ? {} : { etag }), ...(typeof pid === 'number' && pid > 0 ? { serverPid: pid } : {}) };
}

export function probeServer(socketPath: string, timeoutMs = 10_000): Promise<ServerProbe> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // no half-close after the request: Go's server may take it for a client that went away
    const socket = connect(socketPath, () => socket.write('GET /1.0 HTTP/1.0\r\nHost: lxd\r\nUser-Agent: lxd-charm\r\n\r\n'));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${socketPath}: no answer in ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parse(socketPath, Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
