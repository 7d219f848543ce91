// The cos-agent relation through the charm's event table: FakeJuju, FakeLxd, FakeHost and the metrics
// files in memory. State in (a collector related, or gone) → hook → state out (the certificate, LXD's
// trust, the unit bag); the same hook again changes nothing and does not read the trust store.
import { X509Certificate } from 'node:crypto';
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';
import { FakeMetricsFiles, repoShippedCos } from '../fakes/fake-metrics-files';
import fixtures from '../reconcile/metrics-fixtures.json';

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
const related = () => aUnit().withAddress('10.0.0.5').withConfig({ 'storage-type': 'dir' }).withRelation('cos-agent', { remoteApp: 'grafana-agent', units: { 'grafana-agent/0': {} } });

function world(juju = new FakeJuju(related())) {
  return {
    juju,
    lxd: new FakeLxd({ certificatePem: fixtures.server }),
    host: new FakeHost(),
    metrics: new FakeMetricsFiles({ pem: fixtures.metricsCert, key: fixtures.metricsKey }, repoShippedCos()),
  };
}
type World = ReturnType<typeof world>;
const run = async (w: World, hook = 'config-changed'): Promise<void> => {
  expect((await runHook(hook, w)).exitCode).toBe(0);
};
const cosBag = (w: World): Record<string, string> | undefined => w.juju.state.relations.find((r) => r.endpoint === 'cos-agent')?.localUnit;

test('a collector related: a metrics certificate is made, trusted with type metrics, and one verified https scrape job is published with the rules and dashboard', async () => {
  const w = world();
  await run(w);
  expect(w.juju.statuses.at(-1)).toMatchObject({ status: 'active' });
  expect(w.metrics.calls).toEqual(['create juju-metrics-lxd-0', 'key']);
  const fingerprint = fingerprintOf(fixtures.metricsCert);
  expect((await w.lxd.trustEntries()).filter((e) => e.type === 'metrics')).toEqual([{ name: 'juju-metrics-lxd-0', fingerprint, type: 'metrics', restricted: false, projects: [] }]);
  const config = JSON.parse(cosBag(w)?.config ?? '{}') as Record<string, unknown>;
  expect(config.metrics_scrape_jobs).toEqual([
    {
      job_name: 'lxd_0_lxd_0',
      metrics_path: '/1.0/metrics',
      scheme: 'https',
      static_configs: [{ targets: ['10.0.0.5:8443'] }],
      // LXD's certificate names the host, not the address: verified as juju-host-0, against that certificate
      tls_config: { insecure_skip_verify: false, server_name: 'juju-host-0', ca_file: fixtures.server, cert_file: fixtures.metricsCert, key_file: fixtures.metricsKey },
    },
  ]);
  expect(config.metrics_alert_rules).toEqual(repoShippedCos().alertRules);
  expect(config.log_alert_rules).toEqual({});
  // base64 of an .xz stream (magic FD 37 7A 58 5A 00)
  expect(config.dashboards).toEqual([expect.stringMatching(/^\/Td6WFoAAA/)]);
  expect(w.juju.state.charmState['metrics-trusted']).toBe(fingerprint);
  expect(Object.keys(JSON.parse(w.juju.state.charmState['metrics-published'] ?? '{}') as object)).toEqual(['cos-agent:0']);
  // the key went to the relation only: not into a log line, status or state
  expect(JSON.stringify([w.juju.logs, w.juju.statuses, w.juju.state.charmState])).not.toContain('TEST-ONLY-OPAQUE-KEY-TEXT');
});

test('the same hook again: nothing written, the trust store not read, the key not read', async () => {
  const w = world();
  await run(w);
  const [writes, lxdWrites, trustReads, calls] = [w.juju.writes.length, w.lxd.writes.length, w.lxd.trustCalls.length, w.metrics.calls.length];
  await run(w);
  expect(w.juju.writes.slice(writes)).toEqual([]);
  expect(w.lxd.writes.slice(lxdWrites)).toEqual([]);
  expect(w.lxd.trustCalls.slice(trustReads)).toEqual([]);
  expect(w.metrics.calls.slice(calls)).toEqual([]);
});

test('the listener moves to a new address: the job is published again with it', async () => {
  const w = world();
  await run(w);
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, addresses: { 'private-address': '10.0.0.9', 'public-address': '10.0.0.9' }, networks: related().withAddress('10.0.0.9').build().networks });
  await run(w);
  const config = JSON.parse(cosBag(w)?.config ?? '{}') as { metrics_scrape_jobs: Array<{ static_configs: unknown }> };
  expect(config.metrics_scrape_jobs[0]?.static_configs).toEqual([{ targets: ['10.0.0.9:8443'] }]);
});

test('the last collector gone: the trust is revoked, the certificate and key deleted, the state forgotten; then nothing more', async () => {
  const w = world();
  await run(w);
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, relations: state.relations.filter((r) => r.endpoint !== 'cos-agent') });
  await run(w);
  expect((await w.lxd.trustEntries()).filter((e) => e.type === 'metrics')).toEqual([]);
  expect(w.metrics.calls).toContain('remove');
  expect(w.metrics.pem).toBeNull();
  expect(w.juju.state.charmState['metrics-trusted'] ?? '').toBe('');
  expect(w.juju.state.charmState['metrics-published'] ?? '').toBe('');
  const lxdWrites = w.lxd.writes.length;
  await run(w);
  expect(w.lxd.writes.slice(lxdWrites)).toEqual([]);
});

test('the certificate already trusted as a client (not metrics): blocked naming the entry, nothing published', async () => {
  const w = world();
  w.metrics.pem = fixtures.metricsCert;
  w.metrics.keyPem = fixtures.metricsKey;
  await w.lxd.addTrustEntry({ name: 'someone', derBase64: new X509Certificate(fixtures.metricsCert).raw.toString('base64'), projects: [] });
  await run(w);
  expect(w.juju.statuses.at(-1)).toMatchObject({ status: 'blocked', message: expect.stringContaining('trusted in LXD as someone with type client, not metrics') });
  expect(cosBag(w)?.config).toBeUndefined();
});
