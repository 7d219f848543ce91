// Legacy peers (the OpenStack lxd charm) through the wiring as converge runs it: the trust entries they
// make with the password are revoked by fingerprint when they depart; where they cannot join (another
// https-port, no password trust) the wiring says so naming them and publishes no password.
import { aUnit } from '../builders/juju-state';
import { addressOf, clientCertOf, hostOf, legacyBag, peerBag, serverCertOf } from '../migration/builders';
import { MigrationWorld, SERVER, USERS } from '../migration/world';
import { parseCertificate } from '../../src/lxd/certificates';
import { LEGACY_TRUST_STATE_KEY } from '../../src/model/legacy-trust';
import type { Bag } from '../../src/juju/hook-tools';

const derOf = (pem: string): string => {
  const parsed = parseCertificate(pem);
  if (!('ok' in parsed)) throw new Error('bad fixture');
  return parsed.ok.derBase64;
};

/** lxd/1 current, lxd/3 legacy; this unit joined lxd/3 by password earlier (a join needs a real peer): its remotes are there, pinned */
async function withLegacy(): Promise<MigrationWorld> {
  const w = new MigrationWorld(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/3', legacyBag(3)));
  for (const user of USERS) await w.clients.writeRemote(user, { name: hostOf(3), url: `https://${addressOf(3)}:8443`, pinnedCert: serverCertOf(3), peer: 'lxd/3' });
  return w;
}
const ownBag = (w: MigrationWorld): Bag => w.juju.state.relations.find((r) => r.peer)?.localUnit ?? {};

test('entries a legacy peer made with the password are revoked by fingerprint when it departs; older and charm-made ones stay', async () => {
  const w = await withLegacy();
  await w.lxd.addTrustEntry({ name: 'operators-laptop', derBase64: derOf(clientCertOf(7, 'root')), projects: [] }); // there before the legacy peer came
  await w.run('lxd-migration-relation-joined', { remoteUnit: 'lxd/3' });
  expect(ownBag(w).password).toBe('not-used');
  // the legacy charm runs `lxc remote add` with that password, as root and as nova: names of its own choosing
  await w.lxd.addTrustEntry({ name: hostOf(3), derBase64: derOf(clientCertOf(3, 'root')), projects: [] });
  await w.lxd.addTrustEntry({ name: 'nova@legacy', derBase64: derOf(clientCertOf(3, 'nova')), projects: [] });
  await w.run('update-status');
  const recorded = JSON.parse(w.juju.state.charmState[LEGACY_TRUST_STATE_KEY] ?? '{}') as Record<string, { made: string[] }>;
  expect(recorded['lxd/3']?.made).toHaveLength(2);

  w.setPeer('lxd/3', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/3', departingUnit: 'lxd/3' });
  expect([...w.lxd.trust.values()].map((e) => e.name).sort()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root', 'operators-laptop']);
  expect(w.juju.state.charmState[LEGACY_TRUST_STATE_KEY]).toBeUndefined();
  expect(ownBag(w).password).toBeUndefined();
});

test('an entry no hook saw before the legacy peer departed is revoked all the same', async () => {
  const w = await withLegacy();
  await w.run('lxd-migration-relation-joined', { remoteUnit: 'lxd/3' });
  await w.lxd.addTrustEntry({ name: hostOf(3), derBase64: derOf(clientCertOf(3, 'root')), projects: [] });
  w.setPeer('lxd/3', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/3', departingUnit: 'lxd/3' });
  expect([...w.lxd.trust.values()].map((e) => e.name).sort()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root']);
});

test('an entry two legacy peers could have made is kept while one of them stays, and logged', async () => {
  const w = new MigrationWorld(aUnit('lxd/0').withPeer('lxd/3', legacyBag(3)).withPeer('lxd/4', legacyBag(4)));
  for (const n of [3, 4]) for (const user of USERS) await w.clients.writeRemote(user, { name: hostOf(n), url: `https://${addressOf(n)}:8443`, pinnedCert: serverCertOf(n), peer: `lxd/${n}` });
  await w.run('update-status');
  await w.lxd.addTrustEntry({ name: 'someone', derBase64: derOf(clientCertOf(3, 'root')), projects: [] });
  w.setPeer('lxd/3', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/3', departingUnit: 'lxd/3' });
  expect([...w.lxd.trust.values()].map((e) => e.name)).toEqual(['someone']);
  expect(w.juju.logs.join('\n')).toMatch(/kept trust entry someone \([0-9a-f]{12}\): lxd\/3 left, but lxd\/4 may have made it too/);
});

test.each([
  ['https-port is not 8443', { port: 9443 }, 'legacy peer lxd/3 cannot join this unit: it dials port 8443 and https-port is 9443 (set https-port=8443 while legacy peers remain)'],
  [
    'LXD has no password trust',
    { server: { ...SERVER, serverVersion: '6.1', apiExtensions: ['certificate_token', 'explicit_trust_token'] } },
    'legacy peer lxd/3 cannot join this unit: it joins by trust password and LXD 6.1 has none (core.trust_password); move that peer to this charm',
  ],
])('%s: the wiring names the legacy peer, logs it, and publishes no password', async (_label, input, message) => {
  const w = await withLegacy();
  const result = await w.run('lxd-migration-relation-joined', { remoteUnit: 'lxd/3' }, input);
  expect(result?.conflicts).toContain(message);
  expect(w.juju.logs.join('\n')).toContain(message);
  expect(ownBag(w).password).toBeUndefined();
  expect(ownBag(w).pool).toBeUndefined();
  expect(ownBag(w).address).toBe(addressOf(0));
});
