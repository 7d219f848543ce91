// The cos-agent relation in the pipeline: what is observed (the metrics certificate, LXD's trust store
// only while the trust the charm remembers is not the certificate's, the shipped COS files), the pure
// plan (make the certificate, trust it with type metrics, publish the job; revoke and delete when the
// last collector goes) and the appliers. Kept apart from plan.ts/apply.ts, which list these.
import type { HookTools, RelationId } from '../juju/hook-tools';
import { parseCertificate, type Certificate } from '../lxd/certificates';
import type { LxdApi, ServerInfo, TrustEntry } from '../lxd/lxd-api';
import type { MetricsFiles } from '../lxd/metrics-files';
import type { CharmState } from '../model/charm-state';
import { listenAddress } from '../model/desired';
import { cosAgentBag, metricsTrustName, publishedDigest, serverNameFor, type MetricsRelation, type ScrapeTarget, type ShippedCos } from '../model/metrics';

export interface DesiredMetrics {
  readonly relation: MetricsRelation;
  /** the lxd-migration binding's address, where LXD listens (null: unknown) */
  readonly address: string | null;
  readonly port: number;
}

export interface ObservedMetrics {
  readonly certificate: Certificate | null;
  /** null: not read (the remembered trust is the certificate's, or there is nothing to revoke) */
  readonly trust: readonly TrustEntry[] | null;
  /** null: not read (no collector) */
  readonly shipped: ShippedCos | null;
}

export type MetricsChange =
  | { readonly kind: 'metrics-create-certificate'; readonly commonName: string }
  | { readonly kind: 'metrics-trust'; readonly name: string; readonly fingerprint: string; readonly derBase64: string }
  | { readonly kind: 'metrics-revoke'; readonly name: string; readonly fingerprint: string }
  /** the fingerprint LXD trusts as this unit's metrics certificate ("" forgets it, and what was published) */
  | { readonly kind: 'metrics-remember-trust'; readonly fingerprint: string }
  /** the key is not in the plan: the applier reads it from the files; `live` are the relations there are now */
  | { readonly kind: 'metrics-publish'; readonly relationId: RelationId; readonly target: ScrapeTarget; readonly digest: string; readonly live: readonly RelationId[] }
  | { readonly kind: 'metrics-remove-certificate' };

type ObserveIo = { readonly lxd: LxdApi; readonly metrics: MetricsFiles };

export async function observeMetrics(want: DesiredMetrics, io: ObserveIo, state: CharmState): Promise<ObservedMetrics> {
  if (want.relation.ids.length === 0) {
    // nothing to revoke unless the charm trusted a certificate: then the store is read to find it
    if (state.metricsTrusted === '') return { certificate: null, trust: null, shipped: null };
    return { certificate: null, trust: await io.lxd.trustEntries(), shipped: null };
  }
  const pem = await io.metrics.certificate();
  const parsed = pem === null ? null : parseCertificate(pem);
  const certificate = parsed !== null && 'ok' in parsed ? parsed.ok : null;
  const trust = certificate !== null && state.metricsTrusted === certificate.fingerprint ? null : await io.lxd.trustEntries();
  return { certificate, trust, shipped: await io.metrics.shipped() };
}

/**
 * The changes for the cos-agent relation. `listenerPending`: LXD is being moved to another address in
 * this round, so nothing is published until it listens there.
 */
export function metricsChanges(want: DesiredMetrics, have: ObservedMetrics, server: ServerInfo, state: CharmState, listenerPending: boolean, notes: string[], blocked: string[]): MetricsChange[] {
  const name = metricsTrustName(want.relation.unit);
  if (want.relation.ids.length === 0) {
    if (state.metricsTrusted === '') return [];
    const revokes: MetricsChange[] = (have.trust ?? []).filter((e) => e.fingerprint === state.metricsTrusted || e.name === name).map((e) => ({ kind: 'metrics-revoke', name: e.name, fingerprint: e.fingerprint }));
    return [...revokes, { kind: 'metrics-remove-certificate' }, { kind: 'metrics-remember-trust', fingerprint: '' }];
  }
  const cert = have.certificate;
  if (cert === null) return [{ kind: 'metrics-create-certificate', commonName: name }]; // trusted in the next round, once it exists
  const changes: MetricsChange[] = [];
  if (have.trust !== null) {
    const entry = have.trust.find((e) => e.fingerprint === cert.fingerprint);
    if (entry && entry.type !== 'metrics') {
      blocked.push(`the metrics certificate ${cert.fingerprint.slice(0, 12)} is trusted in LXD as ${entry.name} with type ${entry.type}, not metrics: remove that entry (lxc config trust remove ${cert.fingerprint.slice(0, 12)})`);
      return [];
    }
    for (const stale of have.trust.filter((e) => e.name === name && e.fingerprint !== cert.fingerprint)) changes.push({ kind: 'metrics-revoke', name: stale.name, fingerprint: stale.fingerprint });
    if (!entry) changes.push({ kind: 'metrics-trust', name, fingerprint: cert.fingerprint, derBase64: cert.derBase64 });
    changes.push({ kind: 'metrics-remember-trust', fingerprint: cert.fingerprint });
  }
  const serverPem = server.certificatePem ?? '';
  if (listenerPending || serverPem === '' || have.shipped === null) return changes;
  if (want.address === null) {
    notes.push('cos-agent: no address on the lxd-migration binding yet: the scrape job is published once there is one');
    return changes;
  }
  const serverName = serverNameFor(serverPem, want.address);
  if (serverName === null) {
    blocked.push(`cos-agent: LXD's server certificate names neither ${want.address} nor a DNS name, so a collector cannot verify it`);
    return changes;
  }
  const job: ScrapeTarget = { unit: want.relation.unit, target: listenAddress(want.address, want.port), serverName, serverPem, clientPem: cert.pem };
  const digest = publishedDigest(job, have.shipped);
  for (const relationId of want.relation.ids) {
    if (state.metricsPublished[relationId] !== digest) changes.push({ kind: 'metrics-publish', relationId, target: job, digest, live: want.relation.ids });
  }
  return changes;
}

export function describeMetricsChange(change: MetricsChange): string {
  switch (change.kind) {
    case 'metrics-create-certificate':
      return `create the metrics client certificate ${change.commonName} (cos-agent)`;
    case 'metrics-trust':
      return `trust ${change.name} (${change.fingerprint.slice(0, 12)}) for /1.0/metrics only (cos-agent)`;
    case 'metrics-revoke':
      return `revoke ${change.name} (${change.fingerprint.slice(0, 12)}) (cos-agent)`;
    case 'metrics-remember-trust':
      return change.fingerprint === '' ? 'forget the metrics certificate (cos-agent)' : `note that LXD trusts the metrics certificate ${change.fingerprint.slice(0, 12)}`;
    case 'metrics-publish':
      return `publish the scrape job for https://${change.target.target}/1.0/metrics, alert rules and dashboard on ${change.relationId}`;
    case 'metrics-remove-certificate':
      return 'delete the metrics client certificate and key (no collector left)';
  }
}

type MetricsIo = { readonly lxd: LxdApi; readonly juju: HookTools; readonly metrics: MetricsFiles };
type MetricsApplier<K extends MetricsChange['kind']> = (change: Extract<MetricsChange, { kind: K }>, io: MetricsIo, state: CharmState) => Promise<Partial<CharmState> | void>;

export const metricsAppliers: { readonly [K in MetricsChange['kind']]: MetricsApplier<K> } = {
  'metrics-create-certificate': async (c, io) => {
    await io.metrics.createCertificate(c.commonName);
  },
  'metrics-trust': async (c, io) => {
    await io.lxd.addTrustEntry({ name: c.name, derBase64: c.derBase64, projects: [], type: 'metrics' });
  },
  'metrics-revoke': async (c, io) => {
    await io.lxd.removeTrustEntry(c.fingerprint);
  },
  'metrics-remember-trust': async (c) => (c.fingerprint === '' ? { metricsTrusted: '', metricsPublished: {} } : { metricsTrusted: c.fingerprint }),
  'metrics-publish': async (c, io, state) => {
    const [key, shipped] = await Promise.all([io.metrics.key(), io.metrics.shipped()]);
    await io.juju.relationSet(c.relationId, cosAgentBag(c.target, key, shipped));
    const kept = Object.fromEntries(Object.entries(state.metricsPublished).filter(([id]) => c.live.includes(id)));
    return { metricsPublished: { ...kept, [c.relationId]: c.digest } };
  },
  'metrics-remove-certificate': (_c, io) => io.metrics.removeCertificate(),
};
