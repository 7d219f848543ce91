// LXD's REST API over its unix socket (node:http with socketPath): sync and async envelopes,
// operation waits, ETag/If-Match. Request bodies may carry secrets; they never reach argv or logs.
import { request as httpRequest } from 'node:http';
import {
  LxdApiError,
  type LxdApi,
  type LxdConfig,
  type LxdDevice,
  type Network,
  type NewNetwork,
  type NewStoragePool,
  type PoolSpace,
  type Profile,
  type ServerInfo,
  type StoragePool,
  type CertificateToken,
  type NewTrustEntry,
  type TrustEntry,
} from './lxd-api';
import type { NewPreseedObject, PreseedObjectState } from './preseed-api';
import type { PreseedKind } from '../model/lxd-preseed';

interface Envelope {
  readonly type?: string;
  readonly error?: string;
  readonly error_code?: number;
  readonly operation?: string;
  readonly metadata?: unknown;
}

interface RawResponse {
  readonly status: number;
  readonly etag: string | undefined;
  readonly envelope: Envelope;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asStringMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, val] of Object.entries(asRecord(v))) out[k] = typeof val === 'string' ? val : JSON.stringify(val);
  return out;
};
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface SocketClientOptions {
  readonly socketPath: string;
  /** how long to wait for an async operation to finish */
  readonly operationTimeoutSeconds?: number;
}

export class LxdSocketClient implements LxdApi {
  constructor(private readonly options: SocketClientOptions) {}

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** One HTTP exchange; resolves with any status (callers decide), rejects only on transport errors. */
  private exchange(method: Method, path: string, body?: unknown, ifMatch?: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (payload) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(payload.length);
      }
      if (ifMatch) headers['If-Match'] = ifMatch;
      // host: an IPv4 literal, only for the Host header: the default ("localhost") makes Node test it with
      // its IPv6 regex, whose first use costs a hook 3–4 ms of start-up (measured with --cpu-prof)
      const req = httpRequest({ socketPath: this.options.socketPath, host: '127.0.0.1', path, method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let envelope: Envelope;
          try {
            envelope = text ? (JSON.parse(text) as Envelope) : {};
          } catch {
            envelope = { type: 'error', error: `unparseable response: ${text.slice(0, 200)}` };
          }
          const etag = res.headers.etag;
          resolve({ status: res.statusCode ?? 0, etag: typeof etag === 'string' ? etag : undefined, envelope });
        });
        res.on('error', reject);
      });
      req.on('error', (err) => reject(new LxdApiError(0, method, path, `cannot reach LXD at ${this.options.socketPath}: ${err.message}`)));
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Sends a request; waits for async operations; throws LxdApiError on any failure. */
  async call(method: Method, path: string, body?: unknown, ifMatch?: string): Promise<{ metadata: unknown; etag: string | undefined }> {
    const res = await this.exchange(method, path, body, ifMatch);
    const { envelope } = res;
    if (res.status >= 400 || envelope.type === 'error') {
      throw new LxdApiError(envelope.error_code || res.status, method, path, envelope.error || `HTTP ${res.status}`);
    }
    if (envelope.type === 'async' && envelope.operation) {
      return { metadata: await this.waitOperation(envelope.operation), etag: res.etag };
    }
    return { metadata: envelope.metadata, etag: res.etag };
  }

  /** PATCH guarded by the ETag just read: a concurrent change makes LXD refuse it (412) instead of losing one. */
  private async patchUnchangedSince(path: string, body: unknown): Promise<void> {
    const { etag } = await this.call('GET', path);
    await this.call('PATCH', path, body, etag);
  }

  /** Blocks until an operation ends; a failed or cancelled one becomes an LxdApiError. */
  async waitOperation(operationPath: string): Promise<unknown> {
    const timeout = this.options.operationTimeoutSeconds ?? 600;
    const waitPath = `${operationPath}/wait?timeout=${timeout}`;
    const { metadata } = await this.call('GET', waitPath);
    const op = asRecord(metadata);
    if (op.status_code !== 200) {
      throw new LxdApiError(Number(op.status_code) || 500, 'GET', operationPath, asString(op.err) || asString(op.status) || 'operation failed');
    }
    return op.metadata;
  }

  async server(): Promise<ServerInfo> {
    const { metadata, etag } = await this.call('GET', '/1.0');
    const m = asRecord(metadata);
    const env = asRecord(m.environment);
    return {
      ...(etag === undefined ? {} : { etag }),
      ...(typeof env.server_pid === 'number' && env.server_pid > 0 ? { serverPid: env.server_pid } : {}),
      apiExtensions: asStrings(m.api_extensions),
      serverVersion: asString(env.server_version),
      config: asStringMap(m.config),
      addresses: asStrings(env.addresses),
      certificateFingerprint: asString(env.certificate_fingerprint),
      certificatePem: asString(env.certificate),
      storageDrivers: Array.isArray(env.storage_supported_drivers)
        ? env.storage_supported_drivers.map((d) => asString(asRecord(d).Name)).filter(Boolean)
        : [],
    };
  }

  async patchServerConfig(config: LxdConfig): Promise<void> {
    await this.call('PATCH', '/1.0', { config });
  }

  async storagePool(name: string): Promise<StoragePool | null> {
    try {
      const r = asRecord((await this.call('GET', `/1.0/storage-pools/${encodeURIComponent(name)}`)).metadata);
      return { name: asString(r.name), driver: asString(r.driver), config: asStringMap(r.config), usedBy: asStrings(r.used_by), status: asString(r.status) };
    } catch (err) {
      if (err instanceof LxdApiError && err.status === 404) return null;
      throw err;
    }
  }

  async storagePoolSpace(name: string): Promise<PoolSpace | null> {
    try {
      const space = asRecord(asRecord((await this.call('GET', `/1.0/storage-pools/${encodeURIComponent(name)}/resources`)).metadata).space);
      const totalBytes = Number(space.total);
      return Number.isFinite(totalBytes) && totalBytes > 0 ? { totalBytes, usedBytes: Number(space.used) || 0 } : null;
    } catch (err) {
      if (err instanceof LxdApiError && err.status === 404) return null;
      throw err;
    }
  }

  async createStoragePool(pool: NewStoragePool): Promise<void> {
    await this.call('POST', '/1.0/storage-pools', pool);
  }

  async patchStoragePool(name: string, config: LxdConfig): Promise<void> {
    await this.patchUnchangedSince(`/1.0/storage-pools/${encodeURIComponent(name)}`, { config });
  }

  async network(name: string): Promise<Network | null> {
    try {
      const r = asRecord((await this.call('GET', `/1.0/networks/${encodeURIComponent(name)}`)).metadata);
      return { name: asString(r.name), type: asString(r.type), managed: r.managed === true, config: asStringMap(r.config) };
    } catch (err) {
      if (err instanceof LxdApiError && err.status === 404) return null;
      throw err;
    }
  }

  async createNetwork(network: NewNetwork): Promise<void> {
    await this.call('POST', '/1.0/networks', network);
  }

  async patchNetwork(name: string, config: LxdConfig): Promise<void> {
    await this.patchUnchangedSince(`/1.0/networks/${encodeURIComponent(name)}`, { config });
  }

  async profile(name: string): Promise<Profile> {
    const r = asRecord((await this.call('GET', `/1.0/profiles/${encodeURIComponent(name)}`)).metadata);
    const devices: Record<string, LxdDevice> = Object.create(null) as Record<string, LxdDevice>;
    for (const [k, v] of Object.entries(asRecord(r.devices))) devices[k] = asStringMap(v);
    return { name: asString(r.name), config: asStringMap(r.config), devices };
  }

  async patchProfileDevices(name: string, devices: Readonly<Record<string, LxdDevice>>): Promise<void> {
    await this.patchUnchangedSince(`/1.0/profiles/${encodeURIComponent(name)}`, { devices });
  }

  async preseedObject(kind: PreseedKind, name: string): Promise<PreseedObjectState | null> {
    try {
      const r = asRecord((await this.call('GET', `/1.0/${kind}/${encodeURIComponent(name)}`)).metadata);
      const devices: Record<string, LxdDevice> = Object.create(null) as Record<string, LxdDevice>;
      for (const [k, v] of Object.entries(asRecord(r.devices))) devices[k] = asStringMap(v);
      return { config: asStringMap(r.config), devices, driver: asString(r.driver) || asString(r.type) };
    } catch (err) {
      if (err instanceof LxdApiError && err.status === 404) return null;
      throw err;
    }
  }

  async createPreseedObject(kind: PreseedKind, object: NewPreseedObject): Promise<void> {
    await this.call('POST', `/1.0/${kind}`, object);
  }

  async patchPreseedObject(kind: PreseedKind, name: string, patch: { readonly config: LxdConfig; readonly devices?: Readonly<Record<string, LxdDevice>> }): Promise<void> {
    await this.patchUnchangedSince(`/1.0/${kind}/${encodeURIComponent(name)}`, patch);
  }

  /** Polls GET /1.0 until the daemon answers (the emulator or systemd starts it; the charm only waits). */
  async waitReady(timeoutMs: number, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.call('GET', '/1.0');
        return;
      } catch (err) {
        if (Date.now() >= deadline) throw err;
        await sleep(500);
      }
    }
  }

  async runningInstances(): Promise<string[]> {
    try {
      return runningInstanceNames((await this.call('GET', '/1.0/instances?recursion=1&all-projects=true')).metadata);
    } catch (err) {
      // a daemon without the all-projects filter: the default project is all it can tell
      if (!(err instanceof LxdApiError && err.status === 400)) throw err;
      return runningInstanceNames((await this.call('GET', '/1.0/instances?recursion=1')).metadata);
    }
  }

  // --- Trust administration (peer wiring and operator actions) ---

  async trustEntries(): Promise<TrustEntry[]> {
    const { metadata } = await this.call('GET', '/1.0/certificates?recursion=1');
    return (Array.isArray(metadata) ? metadata : []).map((raw: unknown) => {
      const e = asRecord(raw);
      return { name: asString(e.name), fingerprint: asString(e.fingerprint), type: asString(e.type), restricted: e.restricted === true, projects: asStrings(e.projects) };
    });
  }

  async addTrustEntry(entry: NewTrustEntry): Promise<'added' | 'exists'> {
    const body = { type: entry.type ?? 'client', name: entry.name, certificate: entry.derBase64, restricted: entry.projects.length > 0, projects: entry.projects };
    try {
      await this.call('POST', '/1.0/certificates', body);
      return 'added';
    } catch (err) {
      if (err instanceof LxdApiError && err.status === 409) return 'exists';
      throw err;
    }
  }

  async removeTrustEntry(fingerprint: string): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error('removeTrustEntry takes a full lowercase sha256 fingerprint');
    try {
      await this.call('DELETE', `/1.0/certificates/${fingerprint}`);
      return true;
    } catch (err) {
      if (err instanceof LxdApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** The token operation stays running until the token is used: read it from the 202, never wait on it. */
  async issueCertificateToken(request: { readonly name: string; readonly projects: readonly string[] }): Promise<CertificateToken> {
    const path = '/1.0/certificates';
    const body = { type: 'client', name: request.name, token: true, restricted: request.projects.length > 0, projects: request.projects };
    const res = await this.exchange('POST', path, body);
    const { envelope } = res;
    if (res.status >= 400 || envelope.type === 'error') throw new LxdApiError(envelope.error_code || res.status, 'POST', path, envelope.error || `HTTP ${res.status}`);
    const op = asRecord(envelope.metadata);
    const meta = asRecord(op.metadata);
    const secret = asString(meta.secret);
    if (!secret) throw new LxdApiError(res.status, 'POST', path, 'the token operation carries no secret');
    const expiresAt = asString(meta.expiresAt);
    const token = Buffer.from(
      JSON.stringify({ client_name: request.name, fingerprint: asString(meta.fingerprint), addresses: asStrings(meta.addresses), secret, ...(expiresAt ? { expires_at: expiresAt } : {}) }),
    ).toString('base64');
    return { token, operationId: asString(op.id), expiresAt };
  }
}

/** GET /1.0/instances?recursion=1 metadata → the running ones, named as an operator would type them. */
export function runningInstanceNames(metadata: unknown): string[] {
  if (!Array.isArray(metadata)) return [];
  return metadata
    .map(asRecord)
    .filter((i) => i.status === 'Running' && typeof i.name === 'string')
    .map((i) => (typeof i.project === 'string' && i.project !== '' && i.project !== 'default' ? `${i.project}/${String(i.name)}` : String(i.name)))
    .sort();
}
