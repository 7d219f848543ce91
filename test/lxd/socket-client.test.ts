// The socket client's envelope handling against a scripted in-process HTTP server on a unix socket:
// async operations and their wait, failed operations, error envelopes, If-Match, bodies never in paths.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LxdApiError } from '../../src/lxd/lxd-api';
import { LxdSocketClient } from '../../src/lxd/socket-client';

interface Seen {
  method: string;
  url: string;
  ifMatch: string | undefined;
  body: string;
}

let dir = '';
let server: Server;
let client: LxdSocketClient;
const seen: Seen[] = [];
const sync = (metadata: unknown) => ({ type: 'sync', status: 'Success', status_code: 200, error_code: 0, error: '', metadata });

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', ifMatch: req.headers['if-match'] as string | undefined, body });
  const url = req.url ?? '';
  if (url === '/1.0/storage-pools' && req.method === 'POST') {
    const failing = body.includes('"bad"');
    const op = failing ? '/1.0/operations/op-bad' : '/1.0/operations/op-ok';
    return reply(res, 202, { type: 'async', status: 'Operation created', status_code: 100, operation: op, metadata: {} }, { Location: op });
  }
  if (url.startsWith('/1.0/operations/op-ok/wait')) return reply(res, 200, sync({ id: 'op-ok', status: 'Success', status_code: 200, err: '', metadata: { done: true } }));
  if (url.startsWith('/1.0/operations/op-bad/wait')) return reply(res, 200, sync({ id: 'op-bad', status: 'Failure', status_code: 400, err: 'Failed creating pool: no space' }));
  if (url === '/1.0/networks/br0' && req.method === 'GET') return reply(res, 200, sync({ name: 'br0', type: 'bridge', managed: true, config: { 'ipv4.address': '10.1.1.1/24' } }), { ETag: '"etag-1"' });
  if (url === '/1.0/networks/br0' && req.method === 'PATCH') return reply(res, 200, sync(null));
  if (url === '/1.0/networks/none0') return reply(res, 404, { type: 'error', error: 'Network not found', error_code: 404, metadata: null });
  if (url === '/1.0') return reply(res, 500, { type: 'error', error: 'boom', error_code: 500, metadata: null });
  return reply(res, 404, { type: 'error', error: 'not found', error_code: 404, metadata: null });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostcfg-sock-'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((r) => server.listen(join(dir, 'unix.socket'), r));
  client = new LxdSocketClient({ socketPath: join(dir, 'unix.socket'), operationTimeoutSeconds: 30 });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

test('an async answer is followed to its operation, and the wait uses the timeout', async () => {
  await client.createStoragePool({ name: 'p', driver: 'dir', config: {}, description: '' });
  expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /1.0/storage-pools', 'GET /1.0/operations/op-ok/wait?timeout=30']);
});

test('a failed operation is an LxdApiError with the operation error text', async () => {
  await expect(client.createStoragePool({ name: 'bad', driver: 'dir', config: {}, description: '' })).rejects.toMatchObject({
    status: 400,
    path: '/1.0/operations/op-bad',
    lxdMessage: 'Failed creating pool: no space',
  });
});

test('PATCH carries If-Match from the GET, and config only in the body', async () => {
  await client.patchNetwork('br0', { 'bridge.mtu': '1400' });
  expect(seen).toEqual([
    { method: 'GET', url: '/1.0/networks/br0', ifMatch: undefined, body: '' },
    { method: 'PATCH', url: '/1.0/networks/br0', ifMatch: '"etag-1"', body: '{"config":{"bridge.mtu":"1400"}}' },
  ]);
});

test('a missing network is null; any other error envelope throws with LXD text', async () => {
  expect(await client.network('none0')).toBeNull();
  const err = await client.server().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LxdApiError);
  expect(err).toMatchObject({ status: 500, method: 'GET', path: '/1.0', lxdMessage: 'boom' });
});

test('a secret sent to LXD travels in the body only', async () => {
  await client.patchServerConfig({ 'core.trust_password': 's3cret' }).catch(() => undefined);
  expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/1.0' });
  expect(seen[0]?.body).toBe('{"config":{"core.trust_password":"s3cret"}}');
});
