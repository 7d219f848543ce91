// FakeLxd plus LXD's trust store and certificate-add tokens, with the daemon's observable answers:
// a duplicate certificate is 409, an unknown fingerprint 404, no listener means no token.
import { createHash } from 'node:crypto';
import { LxdApiError, type CertificateToken, type LxdTrustAdmin, type NewTrustEntry, type TrustEntry } from '../../../src/lxd/lxd-api';
import { FakeLxd, type FakeLxdOptions } from '../../fakes/fake-lxd';

export class FakeTrustLxd extends FakeLxd implements LxdTrustAdmin {
  readonly trust = new Map<string, TrustEntry>();
  readonly tokens: { name: string; projects: readonly string[]; secret: string }[] = [];

  constructor(options: FakeLxdOptions = {}) {
    super(options);
  }

  async trustEntries(): Promise<TrustEntry[]> {
    return [...this.trust.values()];
  }

  async addTrustEntry(entry: NewTrustEntry): Promise<'added' | 'exists'> {
    const fingerprint = createHash('sha256').update(Buffer.from(entry.derBase64, 'base64')).digest('hex');
    if (this.trust.has(fingerprint)) return 'exists';
    this.trust.set(fingerprint, { name: entry.name, fingerprint, type: 'client', restricted: entry.projects.length > 0, projects: entry.projects });
    this.writes.push(`POST /1.0/certificates ${entry.name}`);
    return 'added';
  }

  async removeTrustEntry(fingerprint: string): Promise<boolean> {
    const had = this.trust.delete(fingerprint);
    if (had) this.writes.push(`DELETE /1.0/certificates/${fingerprint}`);
    return had;
  }

  async issueCertificateToken(request: { readonly name: string; readonly projects: readonly string[] }): Promise<CertificateToken> {
    if (!this.serverConfig['core.https_address']) throw new LxdApiError(500, 'POST', '/1.0/certificates', "Can't issue token when server isn't listening on network");
    const secret = `${this.tokens.length}`.padStart(64, 'f');
    this.tokens.push({ ...request, secret });
    const token = Buffer.from(JSON.stringify({ client_name: request.name, fingerprint: 'ab'.repeat(32), addresses: ['10.0.0.5:8443'], secret })).toString('base64');
    return { token, operationId: `op-${this.tokens.length}`, expiresAt: '' };
  }
}
