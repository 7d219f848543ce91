// TrustStore over LXD's REST API (/1.0/certificates), through any client with a `call` like
// LxdSocketClient's. "Already trusted" and "already gone" are successes: the plan is idempotent.
import { LxdApiError } from '../lxd/lxd-api';
import type { TrustStore, TrustedCert } from './ports';

export interface LxdCaller {
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ readonly metadata: unknown }>;
}

const field = (entry: unknown, key: string): string => {
  const value = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
};

export class LxdTrustStore implements TrustStore {
  constructor(private readonly lxd: LxdCaller) {}

  async list(): Promise<TrustedCert[]> {
    const { metadata } = await this.lxd.call('GET', '/1.0/certificates?recursion=1');
    return (Array.isArray(metadata) ? metadata : []).map((e: unknown) => ({ name: field(e, 'name'), fingerprint: field(e, 'fingerprint'), type: field(e, 'type') }));
  }

  async add(name: string, derBase64: string): Promise<void> {
    try {
      await this.lxd.call('POST', '/1.0/certificates', { type: 'client', name, certificate: derBase64 });
    } catch (err) {
      if (!(err instanceof LxdApiError && err.status === 409)) throw err;
    }
  }

  async remove(fingerprint: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error(`not a certificate fingerprint: ${JSON.stringify(fingerprint.slice(0, 80))}`);
    try {
      await this.lxd.call('DELETE', `/1.0/certificates/${fingerprint}`);
    } catch (err) {
      if (!(err instanceof LxdApiError && err.status === 404)) throw err;
    }
  }
}
