// In-memory ClientConfigStore with the real store's rules: foreign remotes are never overwritten or
// removed, only marked remotes are reported as managed, and every write is recorded.
import { ClientConfigError, type ClientConfigStore, type LocalUser, type ObservedRemote, type RemoteSpec, type UserClientConfig } from '../../src/lxd/client-config-store';

interface UserFiles {
  readonly remotes: Map<string, { url: string; pinnedCert: string | null; peer: string | null }>;
  clientCert: string | null;
}

/** the accounts a unit has: root and nova-compute's nova */
export const UNIT_USERS: readonly LocalUser[] = [
  { name: 'root', uid: 0, gid: 0, home: '/root' },
  { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' },
];

export class FakeClientConfig implements ClientConfigStore {
  private readonly files = new Map<string, UserFiles>();

  /** `accounts`: what passwd holds */
  constructor(private readonly accounts: readonly LocalUser[] = UNIT_USERS) {}

  async users(names: readonly string[]): Promise<{ readonly found: LocalUser[]; readonly missing: string[] }> {
    return { found: names.flatMap((n) => this.accounts.filter((u) => u.name === n)), missing: names.filter((n) => !this.accounts.some((u) => u.name === n)) };
  }
  /** every mutating call, in order: "write nova lxd-1 https://…", "remove root lxd-2", "cert nova" */
  readonly writes: string[] = [];
  /** writes of this remote name fail, as an unreachable or broken peer's would (null: none fail) */
  failFor: string | null = null;

  private of(user: string): UserFiles {
    let files = this.files.get(user);
    if (!files) {
      files = { remotes: new Map(), clientCert: null };
      this.files.set(user, files);
    }
    return files;
  }

  /** An operator's own remote (or lxc's defaults): the charm must leave it alone. */
  withForeignRemote(user: string, name: string, url: string): this {
    this.of(user).remotes.set(name, { url, pinnedCert: null, peer: null });
    return this;
  }

  /** What `lxc remote list` would show for the user: name → url (pin marked with a trailing " (pinned)"). */
  remotesOf(user: string): Record<string, string> {
    return Object.fromEntries([...this.of(user).remotes].sort(([a], [b]) => a.localeCompare(b)).map(([name, r]) => [name, r.pinnedCert ? `${r.url} (pinned)` : r.url]));
  }

  pinOf(user: string, name: string): string | null {
    return this.of(user).remotes.get(name)?.pinnedCert ?? null;
  }

  async read(user: LocalUser): Promise<UserClientConfig> {
    const managed = new Map<string, ObservedRemote & { readonly peer: string }>();
    const foreign = new Set<string>();
    const foreignUrls = new Map<string, string>();
    for (const [name, r] of this.of(user.name).remotes) {
      if (r.peer === null) {
        foreign.add(name);
        foreignUrls.set(name, r.url);
      } else managed.set(name, { name, url: r.url, pinnedCert: r.pinnedCert, peer: r.peer });
    }
    return { managed, foreign, foreignUrls };
  }

  async writeRemote(user: LocalUser, remote: RemoteSpec): Promise<void> {
    if (remote.name === this.failFor) throw new Error(`cannot write remote ${remote.name}: disk full`);
    const files = this.of(user.name);
    const current = files.remotes.get(remote.name);
    if (current && current.peer === null && remote.takeOver !== true) throw new ClientConfigError(user.name, 'config.yml', `remote ${remote.name} exists and is not the charm's: left alone`);
    files.remotes.set(remote.name, { url: remote.url, pinnedCert: remote.pinnedCert ?? current?.pinnedCert ?? null, peer: remote.peer });
    this.writes.push(`write ${user.name} ${remote.name} ${remote.url}`);
  }

  async removeRemote(user: LocalUser, name: string): Promise<void> {
    const files = this.of(user.name);
    if (files.remotes.get(name)?.peer == null) return;
    files.remotes.delete(name);
    this.writes.push(`remove ${user.name} ${name}`);
  }

  async ensureClientCert(user: LocalUser): Promise<string> {
    const files = this.of(user.name);
    if (files.clientCert === null) {
      files.clientCert = `-----BEGIN CERTIFICATE-----\nfake-${user.name}\n-----END CERTIFICATE-----\n`;
      this.writes.push(`cert ${user.name}`);
    }
    return files.clientCert;
  }

  async clientKey(user: LocalUser): Promise<string> {
    if (this.of(user.name).clientCert === null) throw new ClientConfigError(user.name, 'client.key', 'no client key');
    return `-----BEGIN PRIVATE KEY-----\nfake-${user.name}\n-----END PRIVATE KEY-----\n`;
  }
}
