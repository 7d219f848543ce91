// The https relation (interface lxd-https) through the charm's event table: a client's bag in →
// https-relation-* → LXD's trust store and this unit's bag out. A second run writes nothing; bad
// client data is logged naming the unit and the key and changes nothing; departures revoke.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import type { MutableBag } from '../fakes/juju-state';
import { automaticKeys } from '../fakes/juju-state';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';
import { clientCertOf } from '../migration/builders';
import { parseCertificate } from '../../src/lxd/certificates';

const CLIENT = 'https-client/0';
const NAME = `juju-relation-${CLIENT}`;
const PEM_A = clientCertOf(1, 'root');
const PEM_B = clientCertOf(2, 'root');
const SIGNING_CA = readFileSync(join(__dirname, 'fixtures', 'signing-ca.pem'), 'utf8');

interface World {
  juju: FakeJuju;
  readonly lxd: FakeLxd;
  readonly host: FakeHost;
}

const clientBag = (extra: MutableBag = {}): MutableBag => ({ ...automaticKeys('10.0.0.9'), version: '1.0', certificate: PEM_A, ...extra });

const world = (units: Record<string, MutableBag>, appData: MutableBag = {}): World => ({
  juju: new FakeJuju(aUnit().withConfig({ 'storage-type': 'dir' }).withRelation('https', { remoteApp: 'https-client', units, appData })),
  lxd: new FakeLxd(),
  host: new FakeHost({ modules: ['netlink_diag'], ext4Userns: true }),
});

/** The relation's remote side now holds `units` (a departure, a changed bag); committed state kept. */
function remoteNow(w: World, units: Record<string, MutableBag>, appData?: MutableBag): void {
  const state = w.juju.state;
  const relations = state.relations.map((r) => (r.endpoint === 'https' ? { ...r, remoteUnits: units, remoteAppData: appData ?? r.remoteAppData } : r));
  w.juju = new FakeJuju({ ...state, relations });
}

/** Runs the hook; returns what it wrote: LXD writes, relation-set and state-set lines. */
async function run(w: World, hook = 'https-relation-changed', opts: { remoteUnit?: string | null; departingUnit?: string } = {}): Promise<string[]> {
  const lxd = w.lxd.writes.length;
  const juju = w.juju.writes.length;
  expect((await runHook(hook, w, opts)).exitCode).toBe(0);
  return [...w.lxd.writes.slice(lxd).map((l) => l.replace(/[0-9a-f]{64}/, (f) => f.slice(0, 12))), ...w.juju.writes.slice(juju).filter((l) => !l.startsWith('status-set'))];
}

function fingerprintOf(pem: string): string {
  const parsed = parseCertificate(pem);
  if ('error' in parsed) throw new Error(`fixture certificate ${parsed.error}`);
  return parsed.ok.fingerprint;
}
const myBag = (w: World): Readonly<Record<string, string>> => w.juju.state.relations.find((r) => r.endpoint === 'https')?.localUnit ?? {};
const entries = (w: World): Array<{ name: string; fp: string; restricted: boolean; projects: readonly string[] }> =>
  [...w.lxd.trust.values()].map((e) => ({ name: e.name, fp: e.fingerprint.slice(0, 12), restricted: e.restricted, projects: e.projects }));

test('a client’s certificate is trusted, unrestricted; this unit publishes its certificate and address; a second run writes nothing', async () => {
  const w = world({ [CLIENT]: clientBag() });
  const first = await run(w);
  expect(first).toContain(`POST /1.0/certificates ${NAME}`);
  expect(first).toContain('relation-set https:0 addresses,certificate,certificate_fingerprint,version');
  expect(entries(w)).toEqual([{ name: NAME, fp: fingerprintOf(PEM_A).slice(0, 12), restricted: false, projects: [] }]);
  expect(myBag(w)).toMatchObject({ version: '1.0', certificate: w.lxd.certificatePem, certificate_fingerprint: fingerprintOf(w.lxd.certificatePem), addresses: '10.0.0.5:8443' });
  expect(w.juju.logs).toContainEqual(expect.stringMatching(/^INFO trust juju-relation-https-client\/0 \([0-9a-f]{12}\) from https-client\/0 \(https relation\)$/));
  expect(w.juju.unitStatus.status).toBe('active');

  // the same hook again: the trust store is read (an https hook), nothing is written anywhere
  const reads = w.lxd.trustCalls.length;
  expect(await run(w)).toEqual([]);
  expect(w.lxd.trustCalls.slice(reads)).toEqual(['GET /1.0/certificates']);
  // any other hook: the remembered trust matches, so the trust store is not even read
  const before = w.lxd.trustCalls.length;
  expect(await run(w, 'config-changed')).toEqual([]);
  expect(w.lxd.trustCalls.length).toBe(before);
});

test('projects restrict the certificate to them; a change of projects re-restricts it', async () => {
  const w = world({ [CLIENT]: clientBag({ projects: 'tenant, default' }) });
  w.lxd.projects.set('tenant', { config: {} });
  await run(w);
  expect(entries(w)).toEqual([{ name: NAME, fp: fingerprintOf(PEM_A).slice(0, 12), restricted: true, projects: ['default', 'tenant'] }]);
  remoteNow(w, { [CLIENT]: clientBag({ projects: 'default' }) });
  expect(await run(w)).toEqual([`DELETE /1.0/certificates/${fingerprintOf(PEM_A).slice(0, 12)}`, `POST /1.0/certificates ${NAME}`, 'state-set https-trusted']);
  expect(entries(w)).toEqual([{ name: NAME, fp: fingerprintOf(PEM_A).slice(0, 12), restricted: true, projects: ['default'] }]);
});

test('a new certificate from the same client is trusted, then the old one revoked', async () => {
  const w = world({ [CLIENT]: clientBag() });
  await run(w);
  remoteNow(w, { [CLIENT]: clientBag({ certificate: PEM_B }) });
  expect(await run(w)).toEqual([`POST /1.0/certificates ${NAME}`, `DELETE /1.0/certificates/${fingerprintOf(PEM_A).slice(0, 12)}`, 'state-set https-trusted']);
  expect(entries(w).map((e) => e.fp)).toEqual([fingerprintOf(PEM_B).slice(0, 12)]);
});

test('a departing unit’s certificate is revoked; -broken revokes what is left; the operator’s own entries stay', async () => {
  const other = 'https-client/1';
  const w = world({ [CLIENT]: clientBag(), [other]: clientBag({ certificate: PEM_B }) });
  w.lxd.trust.set('f'.repeat(64), { name: 'alice', fingerprint: 'f'.repeat(64), type: 'client', restricted: false, projects: [] });
  await run(w);
  expect(entries(w).map((e) => e.name).sort()).toEqual(['alice', NAME, `juju-relation-${other}`]);

  remoteNow(w, { [other]: clientBag({ certificate: PEM_B }) });
  expect(await run(w, 'https-relation-departed', { remoteUnit: CLIENT, departingUnit: CLIENT })).toEqual([`DELETE /1.0/certificates/${fingerprintOf(PEM_A).slice(0, 12)}`, 'state-set https-trusted']);
  remoteNow(w, {});
  expect(await run(w, 'https-relation-broken')).toEqual([`DELETE /1.0/certificates/${fingerprintOf(PEM_B).slice(0, 12)}`, 'state-set https-trusted']);
  expect(entries(w).map((e) => e.name)).toEqual(['alice']);
  expect(await run(w, 'https-relation-broken')).toEqual([]);
});

test('an application bag with a version is the one client of that application', async () => {
  const w = world({ [CLIENT]: automaticKeys('10.0.0.9') }, { version: '1.0', certificate: PEM_B });
  await run(w, 'https-relation-changed', { remoteUnit: null });
  expect(entries(w)).toEqual([{ name: 'juju-relation-https-client', fp: fingerprintOf(PEM_B).slice(0, 12), restricted: false, projects: [] }]);
});

test('a client bag with nothing of the interface yet: nothing trusted, nothing published, nothing logged', async () => {
  const w = world({ [CLIENT]: automaticKeys('10.0.0.9') });
  await run(w, 'https-relation-joined');
  expect(w.lxd.trust.size).toBe(0);
  expect(myBag(w).certificate).toBeUndefined();
  expect(w.juju.logs.filter((l) => l.includes('refused'))).toEqual([]);
});

test('a certificate trusted already under an operator’s name is left to it, said once in the log of that hook', async () => {
  const w = world({ [CLIENT]: clientBag() });
  const fp = fingerprintOf(PEM_A);
  w.lxd.trust.set(fp, { name: 'alice', fingerprint: fp, type: 'client', restricted: false, projects: [] });
  const wrote = await run(w);
  expect(wrote.filter((l) => l.includes('/1.0/certificates'))).toEqual([]);
  expect(w.juju.logs).toContainEqual(`INFO the certificate ${CLIENT} publishes on https:0 is already trusted as alice: left as it is`);
  remoteNow(w, {});
  await run(w, 'https-relation-broken');
  expect(entries(w).map((e) => e.name)).toEqual(['alice']);
});

test('a project LXD does not have: logged naming the unit and the key, nothing trusted; trusted once the project exists', async () => {
  const w = world({ [CLIENT]: clientBag({ projects: 'nosuch' }) });
  await run(w);
  expect(w.lxd.trust.size).toBe(0);
  expect(w.juju.logs).toContain(`INFO refused relation https:0 data from ${CLIENT}: key "projects" names nosuch, which LXD does not have; its trust in LXD is left as it is`);
  expect(w.juju.unitStatus.status).toBe('active');
  // the same hook again: said again, nothing written
  expect((await run(w)).filter((l) => /certificates|https/.test(l))).toEqual([]);
  w.lxd.projects.set('nosuch', { config: {} });
  expect((await run(w, 'config-changed')).filter((l) => l.includes('certificates'))).toEqual([`POST /1.0/certificates ${NAME}`]);
  expect(entries(w)).toEqual([{ name: NAME, fp: fingerprintOf(PEM_A).slice(0, 12), restricted: true, projects: ['nosuch'] }]);
});

describe.each([
  ['not a PEM', { certificate: 'hello' }, 'certificate', 'is not a single PEM certificate'],
  ['a private key', { certificate: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n' }, 'certificate', 'is not a single PEM certificate'],
  ['a CA certificate', { certificate: SIGNING_CA }, 'certificate', 'is a CA certificate (CA:TRUE with keyUsage keyCertSign), not a client certificate'],
  ['garbage projects', { projects: 'default,../etc' }, 'projects', '"../etc" is not an LXD project name'],
  ['another version', { version: '2.0' }, 'version', 'is "2.0", this charm speaks lxd-https version 1.0'],
  ['no certificate', { certificate: '' }, 'certificate', 'is missing'],
])('%s', (_what, bad, key, why) => {
  const line = `WARNING refused relation https:0 data from ${CLIENT}: key "${key}" ${why}; its trust in LXD is left as it is`;

  test('is logged naming the unit and the key; nothing is trusted or published', async () => {
    const w = world({ [CLIENT]: clientBag(bad) });
    // the host itself is configured as ever; nothing of the https relation is done
    expect((await run(w)).filter((l) => /certificates|https:/.test(l))).toEqual([]);
    expect(w.juju.logs).toContain(line);
    expect(w.lxd.trust.size).toBe(0);
    expect(myBag(w).certificate).toBeUndefined();
  });

  test('after valid data, changes nothing: the trust made before stays as it was', async () => {
    const w = world({ [CLIENT]: clientBag({ projects: 'default' }) });
    await run(w);
    const before = entries(w);
    remoteNow(w, { [CLIENT]: clientBag({ projects: 'default', ...bad }) });
    expect(await run(w)).toEqual([]);
    expect(w.juju.logs).toContain(line);
    expect(entries(w)).toEqual(before);
  });
});
