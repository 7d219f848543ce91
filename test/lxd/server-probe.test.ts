// The entry point's HTTP/1.0 GET /1.0 against an in-process unix-socket server playing LXD: what it
// reads from a good answer, and that every bad answer is an error (the entry point then runs the
// full charm). The same probe against a real daemon: socket-client.real.test.ts.
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeServer } from '../../src/lxd/server-probe';

let dir: string;
let server: Server | undefined;
let received = '';

/** Serves one fixed answer (or none) to every connection, recording the request. */
async function answering(answer: string | null): Promise<string> {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  const socket = join(dir, `lxd-${Math.random().toString(36).slice(2)}.sock`);
  server = createServer((c) => {
    c.on('data', (d: Buffer) => {
      received += d.toString();
      if (answer !== null) c.end(answer);
    });
  });
  await new Promise<void>((resolve) => server?.listen(socket, resolve));
  return socket;
}

const ok = (headers: string, body: unknown): string => `HTTP/1.0 200 OK\r\n${headers}Content-Type: application/json\r\n\r\n${JSON.stringify(body)}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'probe-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

test('reads the server version and the ETag header, whatever its case; sends an HTTP/1.0 GET /1.0', async () => {
  received = '';
  const socket = await answering(ok('etag: "abc123"\r\n', { type: 'sync', metadata: { environment: { server_version: '5.0.2' } } }));
  expect(await probeServer(socket)).toEqual({ serverVersion: '5.0.2', etag: '"abc123"' });
  expect(received.startsWith('GET /1.0 HTTP/1.0\r\n')).toBe(true);
});

test('no ETag header: the version alone', async () => {
  const socket = await answering(ok('', { metadata: { environment: { server_version: '6.1' } } }));
  expect(await probeServer(socket)).toEqual({ serverVersion: '6.1' });
});

test.each([
  ['an error status', 'HTTP/1.0 403 Forbidden\r\n\r\n{}', /answered "HTTP\/1.0 403 Forbidden"/],
  ['no end of headers', 'HTTP/1.0 200 OK\r\nETag: x', /no complete HTTP answer/],
  ['a body that is not JSON', 'HTTP/1.0 200 OK\r\n\r\n{not json', /JSON/],
  ['no server version', ok('', { metadata: { environment: {} } }), /no server version/],
])('%s is an error', async (_, answer, message) => {
  await expect(probeServer(await answering(answer))).rejects.toThrow(message);
});

test('no daemon at the socket, or one that never answers: an error, not a hang', async () => {
  await expect(probeServer(join(dir, 'nothing.sock'))).rejects.toThrow(/ENOENT/);
  await expect(probeServer(await answering(null), 200)).rejects.toThrow(/no answer in 200 ms/);
});
