// The metrics client certificate and key on this machine, and the COS files shipped in the charm.
// The key lives in a root-only directory (0700) as a 0600 file created empty before openssl writes
// it; it is read only to publish it to the collector, never logged, never on a command line.
import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCertificate } from './certificates';
import { runCommand, type RunCommand } from './client-cert';
import type { ShippedCos } from '../model/metrics';

export interface MetricsFiles {
  /** the metrics client certificate PEM, null when there is none (or only half a pair) */
  certificate(): Promise<string | null>;
  /** makes a new pair (EC P-384, self-signed, CN metrics@<host>) in place of any, and returns the certificate PEM */
  createCertificate(hostname: string): Promise<string>;
  /** the key PEM: a secret, read only by the applier that publishes it */
  key(): Promise<string>;
  removeCertificate(): Promise<void>;
  /** the dashboards and alert rules the charm ships (cos/) */
  shipped(): Promise<ShippedCos>;
}

export class MetricsFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsFilesError';
  }
}

export const METRICS_DIR = '/var/lib/lxd-charm/metrics';

const readPlain = (path: string): Promise<string> => readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });

async function isFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export class FsMetricsFiles implements MetricsFiles {
  constructor(
    private readonly dir = METRICS_DIR,
    /** the charm directory's cos/ (Juju runs hooks with cwd = the charm dir) */
    private readonly cosDir = 'cos',
    private readonly run: RunCommand = runCommand,
  ) {}

  private get crtPath(): string {
    return join(this.dir, 'metrics.crt');
  }
  private get keyPath(): string {
    return join(this.dir, 'metrics.key');
  }

  async certificate(): Promise<string | null> {
    if (!(await isFile(this.crtPath)) || !(await isFile(this.keyPath))) return null;
    const parsed = parseCertificate(await readPlain(this.crtPath));
    if ('error' in parsed) throw new MetricsFilesError(`${this.crtPath} ${parsed.error}`);
    return parsed.ok.pem;
  }

  async createCertificate(hostname: string): Promise<string> {
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(hostname)) throw new MetricsFilesError(`host name ${JSON.stringify(hostname)} cannot go in a certificate subject`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(join(this.dir, '.new-'));
    try {
      const newKey = join(work, 'metrics.key');
      const newCrt = join(work, 'metrics.crt');
      await (await open(newKey, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)).close();
      const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-sha384', '-nodes', '-subj', `/CN=metrics@${hostname}`, '-days', '3650', '-keyout', newKey, '-out', newCrt];
      const result = await this.run('openssl', args);
      if (result.exitCode !== 0) throw new MetricsFilesError(`openssl req failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
      const parsed = parseCertificate(await readFile(newCrt, 'utf8'));
      if ('error' in parsed) throw new MetricsFilesError(`openssl wrote a certificate that ${parsed.error}`);
      const crt = await open(newCrt, constants.O_RDONLY | constants.O_NOFOLLOW);
      await crt.chmod(0o644).finally(() => crt.close());
      // key first: a crash in between leaves a key without a certificate, which reads as no pair (made again)
      await rename(newKey, this.keyPath);
      await rename(newCrt, this.crtPath);
      return parsed.ok.pem;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  key(): Promise<string> {
    return readPlain(this.keyPath);
  }

  async removeCertificate(): Promise<void> {
    await rm(this.keyPath, { force: true });
    await rm(this.crtPath, { force: true });
  }

  async shipped(): Promise<ShippedCos> {
    const list = async (sub: string, ext: string): Promise<string[]> => {
      try {
        return (await readdir(join(this.cosDir, sub))).filter((n) => n.endsWith(ext)).sort().map((n) => join(this.cosDir, sub, n));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    };
    const dashboards = await Promise.all((await list('grafana_dashboards', '.json')).map((p) => readPlain(p)));
    // yaml is loaded only by the hooks that publish (adapters.ts, which imports this, loads in every hook)
    const { parse } = await import('yaml');
    const groups: unknown[] = [];
    for (const path of await list('prometheus_alert_rules', '.rules')) {
      const doc: unknown = parse(await readPlain(path));
      const found = typeof doc === 'object' && doc !== null && 'groups' in doc ? (doc as { groups: unknown }).groups : null;
      if (!Array.isArray(found)) throw new MetricsFilesError(`${path} has no groups list`);
      groups.push(...(found as unknown[]));
    }
    return { dashboards, alertRules: { groups } };
  }
}
