// What the migration core needs from the outside: LXD's trust store and each user's lxc client files.
// The lead adapts TrustStore to the LXD REST client; fs-client-config.ts implements ClientConfigStore.

/** One entry of GET /1.0/certificates?recursion=1. */
export interface TrustedCert {
  readonly name: string;
  /** sha256 of the DER, lowercase hex */
  readonly fingerprint: string;
  readonly type: string;
}

export interface TrustStore {
  list(): Promise<TrustedCert[]>;
  /** POST /1.0/certificates {type: client, name, certificate: base64 DER}; 409 (already trusted) is success */
  add(name: string, derBase64: string): Promise<void>;
  /** DELETE /1.0/certificates/<fingerprint>; 404 is success */
  remove(fingerprint: string): Promise<void>;
}

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
}

/** A remote the charm writes: config.yml entry + pinned server certificate. */
export interface RemoteSpec {
  readonly name: string;
  readonly url: string;
  /** PEM; null only for a legacy peer, whose certificate the password join fetches */
  readonly pinnedCert: string | null;
  /** the peer unit it is for, remembered in the marker file */
  readonly peer: string;
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
