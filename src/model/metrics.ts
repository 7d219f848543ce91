// LXD's /1.0/metrics for COS, pure: the cos-agent relation (interface cos_agent, what grafana-agent and
// opentelemetry-collector read from a machine charm) gets, in this unit's bag under "config", one
// scrape job for this unit's LXD (https, the listener's address and port, /1.0/metrics, TLS verified
// against LXD's own server certificate, a client certificate LXD trusts with type metrics), the
// alert rules and the Grafana dashboard shipped in the charm (cos/).
import { createHash, X509Certificate } from 'node:crypto';
import type { Bag, RelationId } from '../juju/hook-tools';
import { xzStore } from './xz-store';

export const COS_AGENT_ENDPOINT = 'cos-agent';
export const METRICS_PATH = '/1.0/metrics';
/** the trust entry of the metrics certificate: one per unit, named after it */
export const metricsTrustName = (unit: string): string => `juju-metrics-${unit.replace('/', '-')}`;

export interface MetricsRelation {
  /** cos-agent relations with a collector unit in them */
  readonly ids: readonly RelationId[];
  /** this unit, e.g. lxd/0 */
  readonly unit: string;
}

export const NO_METRICS: MetricsRelation = { ids: [], unit: '' };

/** What COS is given besides the job: the charm's own files. */
export interface ShippedCos {
  /** Grafana dashboards, JSON text each */
  readonly dashboards: readonly string[];
  /** Prometheus alert rules, {groups: [...]} */
  readonly alertRules: { readonly groups: readonly unknown[] };
}

/** Everything of the job but the client key, which only the applier reads. */
export interface ScrapeTarget {
  readonly unit: string;
  /** host:port of LXD's listener, IPv6 in brackets */
  readonly target: string;
  /** the name TLS verification expects: a DNS name of LXD's self-signed certificate (it names no IP but loopback) */
  readonly serverName: string;
  /** LXD's server certificate: the CA Prometheus verifies against */
  readonly serverPem: string;
  /** the client certificate LXD trusts with type metrics */
  readonly clientPem: string;
}

/**
 * The name to verify LXD's certificate against when dialing `address`: the address itself when the
 * certificate lists it, else its first DNS name (LXD's certificate names the host name and loopback only).
 */
export function serverNameFor(serverPem: string, address: string): string | null {
  let san: string;
  try {
    san = new X509Certificate(serverPem).subjectAltName ?? '';
  } catch {
    return null;
  }
  const names = san.split(/,\s*/).map((entry) => entry.trim());
  if (names.includes(`IP Address:${address}`)) return address;
  const dns = names.find((n) => n.startsWith('DNS:'));
  return dns ? dns.slice(4) : null;
}

/** A Prometheus scrape_config; tls_config carries the PEMs themselves, as COS collectors expect (they write them to files). */
export function scrapeJob(app: string, t: ScrapeTarget, clientKey: string): Record<string, unknown> {
  return {
    job_name: `${app}_0_${t.unit.replace('/', '_')}`,
    metrics_path: METRICS_PATH,
    scheme: 'https',
    static_configs: [{ targets: [t.target] }],
    tls_config: { insecure_skip_verify: false, server_name: t.serverName, ca_file: t.serverPem, cert_file: t.clientPem, key_file: clientKey },
  };
}

/** cos_agent's dashboard encoding: base64 of the xz-compressed JSON. */
export const encodeDashboard = (json: string): string => xzStore(Buffer.from(json, 'utf8')).toString('base64');

/** The unit bag cos_agent's requirer reads: {config: JSON}. */
export function cosAgentBag(t: ScrapeTarget, clientKey: string, shipped: ShippedCos): Bag {
  const app = t.unit.slice(0, t.unit.indexOf('/'));
  const config = {
    metrics_alert_rules: shipped.alertRules,
    log_alert_rules: {},
    dashboards: shipped.dashboards.map(encodeDashboard),
    metrics_scrape_jobs: [scrapeJob(app, t, clientKey)],
    log_slots: [],
  };
  return { config: JSON.stringify(config) };
}

/** What was published, as remembered: changes when the target, a certificate or the shipped files do (the key goes with its certificate). */
export function publishedDigest(t: ScrapeTarget, shipped: ShippedCos): string {
  return createHash('sha256').update(JSON.stringify([t, shipped])).digest('hex').slice(0, 32);
}
