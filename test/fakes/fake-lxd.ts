// In-memory LXD implementing LxdApi with the daemon's observable rules: `auto` becomes a concrete subnet,
// the trust password reads back as "true", PATCH merges, duplicates and unknown pools are refused; its
// trust store takes base64 DER and answers with fingerprints, a duplicate certificate is 'exists', an
// unknown fingerprint false, and no listener means no certificate-add token.
import { createHash, X509Certificate } from 'node:crypto';
import { serverCertOf } from '../migration/builders';
import type { NewPreseedObject, PreseedObjectState } from '../../src/lxd/preseed-api';
import type { PreseedKind } from '../../src/model/lxd-preseed';
import type { LxdDaemon } from '../../src/reconcile/quick-check';
import { LxdApiError, type CertificateToken, type NewTrustEntry, type TrustEntry, type LxdApi, type LxdConfig, type LxdDevice, type Network, type NewNetwork, type NewStoragePool, type PoolSpace, type Profile, type ServerInfo, type StoragePool } from '../../src/lxd/lxd-api';

export interface FakeLxdOptions {
  readonly version?: string;
  readonly extensions?: readonly string[];
  /** the daemon is not up yet: waitReady fails */
  readonly down?: boolean;
  /** no device-mapper: an lvm pool with a thin pool cannot be created */
  readonly noThinPool?: boolean;
  /** the server certificate (environment.certificate); default: fixture certificate 0 */
  readonly certificatePem?: string;
}

/** server keys' defaults: LXD does not store a key set to its default (GET /1.0 then omits it) */
const SERVER_DEFAULTS: Readonly<Record<string, string>> = { 'images.auto_update_interval': '6', 'images.remote_cache_expiry': '10' };

export class FakeLxd implements LxdApi {
  readonly serverConfig: Record<string, string> = {};
  /** the trust password LXD would check (the test's view; LXD itself never returns it) */
  trustPassword: string | null = null;
  readonly pools = new Map<string, StoragePool>();
  /** what GET /1.0/storage-pools/<name>/resources reports, by pool; a pool not listed reports none */
  readonly space = new Map<string, PoolSpace>();
  readonly nets = new Map<string, Network>();
  readonly profiles = new Map<string, { config: Record<string, string>; devices: Record<string, LxdDevice> }>([['default', { config: {}, devices: {} }]]);
  readonly projects = new Map<string, { config: Record<string, string> }>([['default', { config: { 'features.images': 'true', 'features.profiles': 'true' } }]]);
  /** every mutating call, in order: "PATCH /1.0 core.https_address" … */
  readonly writes: string[] = [];
  /** the trust store, by fingerprint */
  readonly trust = new Map<string, TrustEntry>();
  /** every trust-store call, reads included: "GET /1.0/certificates", "DELETE /1.0/certificates/<12 hex>" */
  readonly trustCalls: string[] = [];
  readonly tokens: { name: string; projects: readonly string[]; secret: string }[] = [];
  /** instances as GET /1.0/instances would list them */
  readonly instances: { name: string; project?: string; status: 'Running' | 'Stopped' }[] = [];
  private subnet = 100;

  readonly certificatePem: string;

  /** the daemon's pid and start time, as GET /1.0 and /proc would show them */
  serverPid = 4242;
  startedAt = new Date(-60 * 60_000);
  /** how many GET /1.0 this LXD answered */
  serverReads = 0;

  /** The daemon as the process table shows it (src/lxd/daemon-process.ts): nothing while down. */
  readonly daemon: LxdDaemon = {
    startedAt: (pid) => (this.options.down || pid !== this.serverPid ? null : this.startedAt),
  };

  /** LXD restarted (an upgrade, a crash and systemd): a new process, with `pid` (default a new one) */
  restartDaemon(at: Date, pid = this.serverPid + 1): void {
    this.serverPid = pid;
    this.startedAt = at;
  }

  constructor(private readonly options: FakeLxdOptions = {}) {
    this.certificatePem = options.certificatePem ?? serverCertOf(0);
    this.nets.set('eth0', { name: 'eth0', type: 'physical', managed: false, config: {} });
  }

  async waitReady(): Promise<void> {
    if (this.options.down) throw new LxdApiError(0, 'GET', '/1.0', 'cannot reach LXD at /fake/unix.socket: connect ENOENT');
  }

  async server(): Promise<ServerInfo> {
    if (this.options.down) throw new LxdApiError(0, 'GET', '/1.0', 'cannot reach LXD at /fake/unix.socket: connect ENOENT');
    this.serverReads += 1;
    const https = this.serverConfig['core.https_address'];
    return {
      serverPid: this.serverPid,
      apiExtensions: this.options.extensions ?? ['etag', 'network', 'certificate_token', 'storage_api_local_volume_handling'],
      serverVersion: this.options.version ?? '5.0.2',
      config: { ...this.serverConfig, ...(this.trustPassword ? { 'core.trust_password': 'true' } : {}) },
      addresses: https ? [https.startsWith('[::]') ? https.replace('[::]', '10.0.0.5') : https] : [],
      certificateFingerprint: FakeLxd.fingerprint(this.certificatePem),
      certificatePem: this.certificatePem,
      storageDrivers: ['dir', 'lvm', 'btrfs', 'zfs'],
      etag: this.serverEtag(),
    };
  }

  /** sha256 of the certificate's DER, lowercase hex, as LXD reports it */
  private static fingerprint(pem: string): string {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  }

  /** like LXD's: a hash of the server's user-modifiable config, so it changes exactly when that does */
  private serverEtag(): string {
    return createHash('sha256').update(JSON.stringify({ config: this.serverConfig, trust: this.trustPassword })).digest('hex');
  }

  async patchServerConfig(config: LxdConfig): Promise<void> {
    for (const [key, value] of Object.entries(config)) {
      if (key === 'core.trust_password') {
        if (this.options.extensions?.includes('explicit_trust_token')) throw new LxdApiError(400, 'PATCH', '/1.0', `cannot set '${key}': unknown key`);
        this.trustPassword = value || null;
      } else if (!/^(core|images|cluster|storage|network|backups|instances|maas|loki|oidc|acme)\./.test(key)) throw new LxdApiError(400, 'PATCH', '/1.0', `cannot set '${key}' to '${value}': unknown key`);
      else if (value === '' || SERVER_DEFAULTS[key] === value) delete this.serverConfig[key]; // LXD stores no default
      else this.serverConfig[key] = value;
    }
    this.writes.push(`PATCH /1.0 ${Object.keys(config).sort().join(',')}`);
  }

  async storagePool(name: string): Promise<StoragePool | null> {
    if (this.options.down) throw new LxdApiError(0, 'GET', `/1.0/storage-pools/${name}`, 'cannot reach LXD at /fake/unix.socket: connect ENOENT');
    const pool = this.pools.get(name);
    return pool ? { ...pool, usedBy: this.usedBy(name) } : null;
  }

  private usedBy(pool: string): string[] {
    return [...this.profiles].filter(([, p]) => p.devices.root?.pool === pool).map(([name]) => `/1.0/profiles/${name}`);
  }

  async storagePoolSpace(name: string): Promise<PoolSpace | null> {
    if (!this.pools.has(name)) throw new LxdApiError(404, 'GET', `/1.0/storage-pools/${name}/resources`, 'Storage pool not found');
    return this.space.get(name) ?? null;
  }

  async createStoragePool(pool: NewStoragePool): Promise<void> {
    if (this.pools.has(pool.name)) throw new LxdApiError(409, 'POST', '/1.0/storage-pools', `Storage pool "${pool.name}" already exists`);
    if (pool.driver === 'lvm' && this.options.noThinPool && pool.config['lvm.use_thinpool'] !== 'false') {
      throw new LxdApiError(500, 'POST', '/1.0/storage-pools', 'Failed to create the thin pool: device-mapper: reload ioctl failed');
    }
    const config = { ...pool.config };
    if (pool.driver === 'lvm' && !config.source) config.source = pool.config['lvm.vg_name'] ?? pool.name;
    this.pools.set(pool.name, { name: pool.name, driver: pool.driver, config, usedBy: [], status: 'Created' });
    this.writes.push(`POST /1.0/storage-pools ${pool.name}`);
  }

  async patchStoragePool(name: string, config: LxdConfig): Promise<void> {
    const pool = this.pools.get(name);
    if (!pool) throw new LxdApiError(404, 'PATCH', `/1.0/storage-pools/${name}`, 'Storage pool not found');
    this.pools.set(name, { ...pool, config: { ...pool.config, ...config } });
    this.writes.push(`PATCH /1.0/storage-pools/${name}`);
  }

  async network(name: string): Promise<Network | null> {
    if (this.options.down) throw new LxdApiError(0, 'GET', `/1.0/networks/${name}`, 'cannot reach LXD at /fake/unix.socket: connect ENOENT');
    return this.nets.get(name) ?? null;
  }

  private concrete(config: LxdConfig): Record<string, string> {
    const out: Record<string, string> = { ...config };
    if (out['ipv4.address'] === 'auto' || out['ipv4.address'] === undefined) out['ipv4.address'] = `10.${this.subnet++}.0.1/24`;
    if (out['ipv6.address'] === 'auto') out['ipv6.address'] = `fd42:${this.subnet++}::1/64`;
    return out;
  }

  async createNetwork(network: NewNetwork): Promise<void> {
    if (this.nets.has(network.name)) throw new LxdApiError(400, 'POST', '/1.0/networks', 'The network already exists');
    this.nets.set(network.name, { name: network.name, type: 'bridge', managed: true, config: this.concrete(network.config) });
    this.writes.push(`POST /1.0/networks ${network.name}`);
  }

  async patchNetwork(name: string, config: LxdConfig): Promise<void> {
    const net = this.nets.get(name);
    if (!net?.managed) throw new LxdApiError(404, 'PATCH', `/1.0/networks/${name}`, 'Network not found');
    const merged = { ...net.config, ...config };
    if (config['ipv4.address'] === 'auto') merged['ipv4.address'] = `10.${this.subnet++}.0.1/24`;
    if (config['ipv6.address'] === 'auto') merged['ipv6.address'] = `fd42:${this.subnet++}::1/64`;
    this.nets.set(name, { ...net, config: merged });
    this.writes.push(`PATCH /1.0/networks/${name} ${Object.keys(config).sort().join(',')}`);
  }

  async profile(name: string): Promise<Profile> {
    const p = this.profiles.get(name);
    if (!p) throw new LxdApiError(404, 'GET', `/1.0/profiles/${name}`, 'Profile not found');
    return { name, config: { ...p.config }, devices: structuredClone(p.devices) };
  }

  async patchProfileDevices(name: string, devices: Readonly<Record<string, LxdDevice>>): Promise<void> {
    const p = this.profiles.get(name);
    if (!p) throw new LxdApiError(404, 'PATCH', `/1.0/profiles/${name}`, 'Profile not found');
    for (const [key, device] of Object.entries(devices)) {
      if (device.network && !this.nets.has(device.network)) throw new LxdApiError(404, 'PATCH', `/1.0/profiles/${name}`, `Failed to load network "${device.network}": Network not found`);
      p.devices[key] = { ...device };
    }
    this.writes.push(`PATCH /1.0/profiles/${name} ${Object.keys(devices).sort().join(',')}`);
  }

  async preseedObject(kind: PreseedKind, name: string): Promise<PreseedObjectState | null> {
    switch (kind) {
      case 'storage-pools': {
        const pool = this.pools.get(name);
        return pool ? { config: { ...pool.config }, devices: {}, driver: pool.driver } : null;
      }
      case 'networks': {
        const net = this.nets.get(name);
        return net ? { config: { ...net.config }, devices: {}, driver: net.type } : null;
      }
      case 'profiles': {
        const profile = this.profiles.get(name);
        return profile ? { config: { ...profile.config }, devices: structuredClone(profile.devices), driver: '' } : null;
      }
      case 'projects': {
        const project = this.projects.get(name);
        return project ? { config: { ...project.config }, devices: {}, driver: '' } : null;
      }
    }
  }

  async createPreseedObject(kind: PreseedKind, object: NewPreseedObject): Promise<void> {
    const exists = await this.preseedObject(kind, object.name);
    if (exists) throw new LxdApiError(409, 'POST', `/1.0/${kind}`, `"${object.name}" already exists`);
    const config = { ...object.config };
    if (kind === 'storage-pools') this.pools.set(object.name, { name: object.name, driver: typeof object.driver === 'string' ? object.driver : '', config, usedBy: [], status: 'Created' });
    if (kind === 'networks') this.nets.set(object.name, { name: object.name, type: typeof object.type === 'string' ? object.type : 'bridge', managed: true, config: this.concrete(config) });
    if (kind === 'profiles') this.profiles.set(object.name, { config, devices: structuredClone({ ...(object.devices ?? {}) }) });
    if (kind === 'projects') this.projects.set(object.name, { config });
    this.writes.push(`POST /1.0/${kind} ${object.name}`);
  }

  async patchPreseedObject(kind: PreseedKind, name: string, patch: { readonly config: LxdConfig; readonly devices?: Readonly<Record<string, LxdDevice>> }): Promise<void> {
    const notFound = (): LxdApiError => new LxdApiError(404, 'PATCH', `/1.0/${kind}/${name}`, 'not found');
    if (kind === 'storage-pools') {
      const pool = this.pools.get(name);
      if (!pool) throw notFound();
      this.pools.set(name, { ...pool, config: { ...pool.config, ...patch.config } });
    } else if (kind === 'networks') {
      const net = this.nets.get(name);
      if (!net) throw notFound();
      this.nets.set(name, { ...net, config: { ...net.config, ...patch.config } });
    } else if (kind === 'profiles') {
      const profile = this.profiles.get(name);
      if (!profile) throw notFound();
      Object.assign(profile.config, patch.config);
      Object.assign(profile.devices, structuredClone({ ...(patch.devices ?? {}) }));
    } else {
      const project = this.projects.get(name);
      if (!project) throw notFound();
      Object.assign(project.config, patch.config);
    }
    this.writes.push(`PATCH /1.0/${kind}/${name} ${[...Object.keys(patch.config), ...Object.keys(patch.devices ?? {})].sort().join(',')}`);
  }

  async runningInstances(): Promise<string[]> {
    return this.instances.filter((i) => i.status === 'Running').map((i) => (i.project && i.project !== 'default' ? `${i.project}/${i.name}` : i.name)).sort();
  }

  async trustEntries(): Promise<TrustEntry[]> {
    this.trustCalls.push('GET /1.0/certificates');
    return [...this.trust.values()];
  }

  async addTrustEntry(entry: NewTrustEntry): Promise<'added' | 'exists'> {
    this.trustCalls.push(`POST /1.0/certificates ${entry.name}`);
    if (!/^[A-Za-z0-9+/]+=*$/.test(entry.derBase64)) throw new LxdApiError(400, 'POST', '/1.0/certificates', 'illegal base64 data at input byte 0');
    const fingerprint = createHash('sha256').update(Buffer.from(entry.derBase64, 'base64')).digest('hex');
    if (this.trust.has(fingerprint)) return 'exists';
    // as LXD 5.0: a restriction to a project it does not have is refused
    if (entry.projects.some((p) => !this.projects.has(p))) throw new LxdApiError(404, 'POST', '/1.0/certificates', 'Project not found');
    this.trust.set(fingerprint, { name: entry.name, fingerprint, type: entry.type ?? 'client', restricted: entry.projects.length > 0, projects: entry.projects });
    this.writes.push(`POST /1.0/certificates ${entry.name}`);
    return 'added';
  }

  async removeTrustEntry(fingerprint: string): Promise<boolean> {
    this.trustCalls.push(`DELETE /1.0/certificates/${fingerprint.slice(0, 12)}`);
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
