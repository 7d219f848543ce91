// In-memory trust store with LXD's rules: base64 DER in, fingerprints out, duplicates are no-ops.
import { createHash } from 'node:crypto';
import type { TrustStore, TrustedCert } from '../../src/migration/ports';

export class FakeTrustStore implements TrustStore {
  readonly entries = new Map<string, TrustedCert>();
  /** every call that reaches "LXD", reads included */
  readonly calls: string[] = [];

  async list(): Promise<TrustedCert[]> {
    this.calls.push('GET /1.0/certificates');
    return [...this.entries.values()];
  }

  async add(name: string, derBase64: string): Promise<void> {
    this.calls.push(`POST /1.0/certificates ${name}`);
    if (!/^[A-Za-z0-9+/]+=*$/.test(derBase64)) throw new Error('illegal base64 data at input byte 0');
    const fingerprint = createHash('sha256').update(Buffer.from(derBase64, 'base64')).digest('hex');
    if (!this.entries.has(fingerprint)) this.entries.set(fingerprint, { name, fingerprint, type: 'client' });
  }

  async remove(fingerprint: string): Promise<void> {
    this.calls.push(`DELETE /1.0/certificates/${fingerprint.slice(0, 12)}`);
    this.entries.delete(fingerprint);
  }
}
