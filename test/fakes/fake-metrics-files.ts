// The metrics certificate and the shipped COS files in memory; the certificate a test gives is real
// PEM, so parsing and fingerprints are the real ones.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { MetricsFiles } from '../../src/lxd/metrics-files';
import type { ShippedCos } from '../../src/model/metrics';

const ROOT = path.join(__dirname, '..', '..');

/** the charm's own cos/ files, as FsMetricsFiles reads them in the charm directory */
export function repoShippedCos(): ShippedCos {
  const dashboard = readFileSync(path.join(ROOT, 'cos', 'grafana_dashboards', 'lxd.json'), 'utf8');
  const rules = parse(readFileSync(path.join(ROOT, 'cos', 'prometheus_alert_rules', 'lxd.rules'), 'utf8')) as { groups: unknown[] };
  return { dashboards: [dashboard], alertRules: { groups: rules.groups } };
}

export class FakeMetricsFiles implements MetricsFiles {
  /** "create", "remove", "key": what the charm did with the files */
  readonly calls: string[] = [];
  pem: string | null = null;
  keyPem = '';
  /** what createCertificate makes next */
  constructor(
    private readonly next: { readonly pem: string; readonly key: string },
    public shippedCos: ShippedCos = { dashboards: ['{"title":"LXD"}'], alertRules: { groups: [] } },
  ) {}

  async certificate(): Promise<string | null> {
    return this.pem;
  }
  async createCertificate(commonName: string): Promise<string> {
    this.calls.push(`create ${commonName}`);
    this.pem = this.next.pem;
    this.keyPem = this.next.key;
    return this.pem;
  }
  async key(): Promise<string> {
    this.calls.push('key');
    return this.keyPem;
  }
  async removeCertificate(): Promise<void> {
    this.calls.push('remove');
    this.pem = null;
    this.keyPem = '';
  }
  async shipped(): Promise<ShippedCos> {
    return this.shippedCos;
  }
}
