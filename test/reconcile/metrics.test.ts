// The cos-agent part of the plan, pure: what is published when, and what blocks it.
import { readCharmState } from '../../src/model/charm-state';
import type { ServerInfo } from '../../src/lxd/lxd-api';
import { parseCertificate } from '../../src/lxd/certificates';
import { serverNameFor } from '../../src/model/metrics';
import { metricsChanges, type DesiredMetrics, type ObservedMetrics } from '../../src/reconcile/metrics';
import { cert } from '../migration/builders';
import fixtures from './metrics-fixtures.json';

const parsed = parseCertificate(fixtures.metricsCert);
if (!('ok' in parsed)) throw new Error('fixture');
const metricsCert = parsed.ok;
const server = (pem = fixtures.server): ServerInfo => ({ apiExtensions: [], serverVersion: '5.0.2', config: {}, addresses: ['10.0.0.5:8443'], certificateFingerprint: 'f', certificatePem: pem, storageDrivers: [] });
const want = (address: string | null = '10.0.0.5', ids = ['cos-agent:3']): DesiredMetrics => ({ relation: { ids, unit: 'lxd/2' }, address, port: 8443 });
const trusted: ObservedMetrics = { certificate: metricsCert, trust: null, shipped: { dashboards: [], alertRules: { groups: [] } } };
const state = readCharmState({ 'metrics-trusted': metricsCert.fingerprint });

const plan = (w: DesiredMetrics, have: ObservedMetrics, s = state, pending = false, srv = server()) => {
  const notes: string[] = [];
  const blocked: string[] = [];
  const changes = metricsChanges(w, have, srv, s, pending, notes, blocked);
  return { kinds: changes.map((c) => c.kind), changes, notes, blocked };
};

test('no collector and nothing trusted before: no change, nothing read', () => {
  expect(plan(want(null, []), { certificate: null, trust: null, shipped: null }, readCharmState({})).kinds).toEqual([]);
});

test('a collector but no certificate yet: only the certificate is made (it is trusted in the next round)', () => {
  expect(plan(want(), { ...trusted, certificate: null }, readCharmState({})).changes).toEqual([{ kind: 'metrics-create-certificate', commonName: 'juju-metrics-lxd-2' }]);
});

test('a trust entry of an older metrics certificate under the unit\'s name is revoked; the new one trusted', () => {
  const old = { name: 'juju-metrics-lxd-2', fingerprint: 'aa'.repeat(32), type: 'metrics', restricted: false, projects: [] };
  expect(plan(want(), { ...trusted, trust: [old] }, readCharmState({})).kinds).toEqual(['metrics-revoke', 'metrics-trust', 'metrics-remember-trust', 'metrics-publish']);
});

test('nothing is published while the listener is being moved, nor without an address (a note says why)', () => {
  expect(plan(want(), trusted, state, true).kinds).toEqual([]);
  const none = plan(want(null), trusted);
  expect(none.kinds).toEqual([]);
  expect(none.notes).toEqual([expect.stringContaining('no address on the lxd-migration binding')]);
});

test('published already with the same digest: nothing; another relation id: published there', () => {
  const first = plan(want(), trusted).changes[0];
  if (first?.kind !== 'metrics-publish') throw new Error('expected a publish');
  const done = readCharmState({ 'metrics-trusted': metricsCert.fingerprint, 'metrics-published': JSON.stringify({ 'cos-agent:3': first.digest }) });
  expect(plan(want(), trusted, done).kinds).toEqual([]);
  expect(plan(want('10.0.0.5', ['cos-agent:3', 'cos-agent:7']), trusted, done).changes.map((c) => (c.kind === 'metrics-publish' ? c.relationId : c.kind))).toEqual(['cos-agent:7']);
});

test('a server certificate that names neither the address nor a host cannot be verified: blocked, not published insecurely', () => {
  const r = plan(want(), trusted, state, false, server(cert(1)));
  expect(r.kinds).toEqual([]);
  expect(r.blocked).toEqual([expect.stringContaining('names neither 10.0.0.5 nor a DNS name')]);
});

test('serverNameFor: the address when the certificate lists it, else its first DNS name', () => {
  expect(serverNameFor(fixtures.server, '127.0.0.1')).toBe('127.0.0.1');
  expect(serverNameFor(fixtures.server, '10.0.0.5')).toBe('juju-host-0');
  expect(serverNameFor('not a certificate', '10.0.0.5')).toBeNull();
});
