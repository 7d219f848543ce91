// Each local user's lxc client files (config.yml remotes, pinned server certificates, the client
// certificate) as the charm sees them: fs-client-config.ts implements it over real files,
// test/fakes/fake-client-config.ts in memory.

/** A local account whose lxc client the charm configures. */
export interface LocalUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** A remote in a user's config.yml as the charm sees it. */
export interface ObservedRemote {
  readonly name: string;
  readonly url: string;
  /** PEM of servercerts/<name>.crt, null when there is none */
  readonly pinnedCert: string | null;
}

export interface UserClientConfig {
  /** remotes the charm wrote (listed in its marker file), by name, with the peer unit each is for */
  readonly managed: ReadonlyMap<string, ObservedRemote & { readonly peer: string }>;
  /** every other remote name in config.yml (the operator's own, local, images…): never touched */
  readonly foreign: ReadonlySet<string>;
  /** the foreign remotes' URLs, by name (what a takeover compares) */
  readonly foreignUrls?: ReadonlyMap<string, string>;
}

/** A remote the charm writes: config.yml entry + pinned server certificate. */
export interface RemoteSpec {
  readonly name: string;
  readonly url: string;
  /** PEM; null only for a legacy peer, whose certificate the password join fetches */
  readonly pinnedCert: string | null;
  /** the peer unit it is for, remembered in the marker file */
  readonly peer: string;
  /** a remote of this name that the legacy lxd charm made for the same peer: the charm takes it over */
  readonly takeOver?: boolean;
}

export interface ClientConfigStore {
  read(user: LocalUser): Promise<UserClientConfig>;
  /** adds or replaces a managed remote (URL and pin); refuses to overwrite a foreign remote */
  writeRemote(user: LocalUser, remote: RemoteSpec): Promise<void>;
  /** removes a managed remote and its pin; a foreign or missing name is left alone */
  removeRemote(user: LocalUser, name: string): Promise<void>;
  /** the user's client certificate PEM, created (EC P-384, self-signed) when missing */
  ensureClientCert(user: LocalUser, hostname: string): Promise<string>;
  /** the user's client key PEM (a secret: only for a legacy password join, which must present it) */
  clientKey(user: LocalUser): Promise<string>;
  /** resolves local accounts from passwd; names not found are returned apart */
  users(names: readonly string[]): Promise<{ readonly found: LocalUser[]; readonly missing: string[] }>;
}

/** A client-config write was refused or failed: names the user and the file. */
export class ClientConfigError extends Error {
  constructor(
    readonly user: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`lxc client config of ${user} (${path}): ${reason}`);
    this.name = 'ClientConfigError';
  }
}
