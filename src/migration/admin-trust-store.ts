// TrustStore over the socket client's trust administration (LxdTrustAdmin): the one implementation of
// /1.0/certificates the charm has, shared with the operator actions. Migration entries are unrestricted.
import type { LxdTrustAdmin } from '../lxd/lxd-api';
import type { TrustStore, TrustedCert } from './ports';

export class AdminTrustStore implements TrustStore {
  constructor(private readonly admin: LxdTrustAdmin) {}

  async list(): Promise<TrustedCert[]> {
    return (await this.admin.trustEntries()).map(({ name, fingerprint, type }) => ({ name, fingerprint, type }));
  }

  async add(name: string, derBase64: string): Promise<void> {
    await this.admin.addTrustEntry({ name, derBase64, projects: [] });
  }

  async remove(fingerprint: string): Promise<void> {
    await this.admin.removeTrustEntry(fingerprint);
  }
}
