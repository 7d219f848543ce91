// The charm's one boundary to LXD's daemon: the REST calls it needs, typed, trust administration included. socket-client.ts implements it over
// the unix socket; test/fakes/fake-lxd.ts implements it in memory.
import type { LxdPreseedApi } from './preseed-api';

export type { LxdPreseedApi, NewPreseedObject, PreseedObjectState } from './preseed-api';

/** LXD config maps are map[string]string: numbers and booleans must travel as strings. */
export type LxdConfig = Readonly<Record<string, string>>;
export type LxdDevice = Readonly<Record<string, string>>;

export interface ServerInfo {
  readonly apiExtensions: readonly string[];
  readonly serverVersion: string;
  /** set keys only; `core.trust_password` reads back as "true" when set, never its value */
  readonly config: LxdConfig;
  /** where the HTTPS listener is bound (empty until core.https_address is set) */
  readonly addresses: readonly string[];
  readonly certificateFingerprint: string;
  /** the server certificate PEM (environment.certificate): what peers pin; optional so in-memory fakes may omit it */
  readonly certificatePem?: string;
  readonly storageDrivers: readonly string[];
  /** the ETag of GET /1.0: a hash of the server's config, so it changes exactly when that does */
  readonly etag?: string;
  /** the daemon's pid (environment.server_pid), when LXD says */
  readonly serverPid?: number;
}

export interface StoragePool {
  readonly name: string;
  readonly driver: string;
  readonly config: LxdConfig;
  readonly usedBy: readonly string[];
  readonly status: string;
}

export interface PoolSpace {
  readonly totalBytes: number;
  readonly usedBytes: number;
}

export interface Network {
  readonly name: string;
  readonly type: string;
  /** false for host interfaces LXD merely reports */
  readonly managed: boolean;
  readonly config: LxdConfig;
}

export interface Profile {
  readonly name: string;
  readonly config: LxdConfig;
  readonly devices: Readonly<Record<string, LxdDevice>>;
}

export interface NewStoragePool {
  readonly name: string;
  readonly driver: string;
  readonly config: LxdConfig;
  readonly description: string;
}

export interface NewNetwork {
  readonly name: string;
  readonly type: 'bridge';
  readonly config: LxdConfig;
  readonly description: string;
}

/** One entry of GET /1.0/certificates?recursion=1. */
export interface TrustEntry {
  readonly name: string;
  /** sha256 of the DER, lowercase hex */
  readonly fingerprint: string;
  /** client, server or metrics */
  readonly type: string;
  readonly restricted: boolean;
  readonly projects: readonly string[];
}

export interface NewTrustEntry {
  readonly name: string;
  /** base64 of the DER (what POST /1.0/certificates takes) */
  readonly derBase64: string;
  /** empty: unrestricted */
  readonly projects: readonly string[];
  /** default client; metrics: /1.0/metrics only */
  readonly type?: 'client' | 'metrics';
}

export interface CertificateToken {
  /** what `lxc remote add <name> <token>` takes: a secret */
  readonly token: string;
  /** the token operation; DELETE /1.0/operations/<id> revokes the token */
  readonly operationId: string;
  /** empty when the token never expires */
  readonly expiresAt: string;
}

export interface LxdApi extends LxdPreseedApi {
  /** resolves once the daemon answers (the init system starts it; the charm only waits); throws after the timeout */
  waitReady(timeoutMs: number): Promise<void>;
  /** GET /1.0 */
  server(): Promise<ServerInfo>;
  /** PATCH /1.0: only the listed keys change; "" unsets a key. Values may be secrets: body only. */
  patchServerConfig(config: LxdConfig): Promise<void>;
  /** one pool by name, null when there is none */
  storagePool(name: string): Promise<StoragePool | null>;
  /** the pool's space as LXD measures it (GET …/resources: an lvm thin pool's data size), null when LXD gives none */
  storagePoolSpace(name: string): Promise<PoolSpace | null>;
  createStoragePool(pool: NewStoragePool): Promise<void>;
  patchStoragePool(name: string, config: LxdConfig): Promise<void>;
  /** one network by name (managed or a host interface LXD reports), null when there is none */
  network(name: string): Promise<Network | null>;
  createNetwork(network: NewNetwork): Promise<void>;
  /** PATCH merges keys (PUT would drop the ones left out) */
  patchNetwork(name: string, config: LxdConfig): Promise<void>;
  profile(name: string): Promise<Profile>;
  /** PATCH merges per device name */
  patchProfileDevices(name: string, devices: Readonly<Record<string, LxdDevice>>): Promise<void>;
  /** running instances of every project ("name", or "project/name" outside the default project), sorted */
  runningInstances(): Promise<string[]>;

  // trust administration: /1.0/certificates and certificate-add tokens (peer wiring and operator actions)
  trustEntries(): Promise<TrustEntry[]>;
  /** 'exists' when the certificate is already trusted (nothing changed) */
  addTrustEntry(entry: NewTrustEntry): Promise<'added' | 'exists'>;
  /** false when no entry has that fingerprint */
  removeTrustEntry(fingerprint: string): Promise<boolean>;
  /** needs EXTENSION_CERTIFICATE_TOKEN and the HTTPS listener */
  issueCertificateToken(request: { readonly name: string; readonly projects: readonly string[] }): Promise<CertificateToken>;
}

/** An LXD request failed: the HTTP status and LXD's own error text. */
export class LxdApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly lxdMessage: string,
  ) {
    super(`LXD ${method} ${path} failed (${status}): ${lxdMessage}`);
    this.name = 'LxdApiError';
  }
}

/** API extensions the charm branches on (checked in api_extensions, never by version). */
export const EXTENSION_CERTIFICATE_TOKEN = 'certificate_token';
export const EXTENSION_EXPLICIT_TRUST_TOKEN = 'explicit_trust_token';

/** `core.trust_password` exists until LXD 6.1, which also added explicit_trust_token. */
export const supportsTrustPassword = (server: ServerInfo): boolean =>
  !server.apiExtensions.includes(EXTENSION_EXPLICIT_TRUST_TOKEN);

