// The lxd-migration peer wiring through the charm's event table, as Juju runs it: FakeJuju (commit on
// success), FakeLxd with its trust store, the users' lxc files and lxc client in memory. State in →
// peer hook → remotes, trust entries and the published record out.
import type { Bag, UnitName } from '../../src/juju/hook-tools';
import type { RelationHookOptions } from '../builders/juju-events';
import { aUnit, type JujuStateBuilder } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeClientConfig } from '../fakes/fake-client-config';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxcClient } from '../fakes/fake-lxc-client';
import { FakeLxd } from '../fakes/fake-lxd';
import { addressOf, clientCertOf, hostOf, legacyBag, peerBag, serverCertOf } from '../migration/builders';
import { parseCertificate } from '../../src/lxd/certificates';

class World {
  juju: FakeJuju;
  readonly lxd = new FakeLxd({ certificatePem: serverCertOf(0) });
  readonly host = new FakeHost();
  readonly clients = new FakeClientConfig();
  readonly lxc = new FakeLxcClient(this.clients);
  readonly hostname = hostOf(0);

  constructor(unit: JujuStateBuilder) {
    this.juju = new FakeJuju(unit.withConfig({ 'lvm-thinpool': false }).withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } }));
  }

  async run(hook: string, opts: RelationHookOptions = {}): Promise<void> {
    expect((await runHook(hook, this, opts)).exitCode).toBe(0);
  }

  /** The peer relation as the next hook sees it: a peer's bag changed (or appeared), or with null the peer left. */
  setPeer(unit: UnitName, bag: Bag | null): void {
    const state = this.juju.state;
    const peers = state.relations.find((r) => r.peer);
    if (!peers) throw new Error('no peer relation');
    if (bag === null) delete peers.remoteUnits[unit];
    else peers.remoteUnits[unit] = { ...bag };
    this.juju = new FakeJuju(state);
  }

  trustNames(): string[] {
    return [...this.lxd.trust.values()].map((e) => e.name).sort();
  }

  ownBag(): Bag {
    return this.juju.state.relations.find((r) => r.peer)?.localUnit ?? {};
  }
}

const url = (n: number, address = addressOf(n)): string => `https://${address}:8443`;

test('config-changed with a peer: pinned remotes for root and nova, its client certificates trusted, this unit\'s record published', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)));
  await w.run('config-changed');
  for (const user of ['root', 'nova']) expect(w.clients.remotesOf(user)).toEqual({ [hostOf(1)]: `${url(1)} (pinned)` });
  expect(w.clients.pinOf('nova', hostOf(1))).toBe(serverCertOf(1));
  expect(w.trustNames()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root']);
  expect(w.ownBag()).toMatchObject({ version: '1', hostname: hostOf(0), address: '10.0.0.5', port: '8443', 'server-cert': serverCertOf(0) });
  expect(Object.keys(JSON.parse(w.ownBag()['client-certs'] ?? '{}') as object)).toEqual(['nova', 'root']);
  expect(w.juju.unitStatus).toMatchObject({ status: 'active', message: expect.stringContaining('1/1 peers wired') });
});

test('-joined of a new peer wires it; -changed with a new address moves only its remotes; -departed removes its remotes and trust', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)));
  await w.run('config-changed');

  w.setPeer('lxd/2', peerBag(2));
  await w.run('lxd-migration-relation-joined', { remoteUnit: 'lxd/2' });
  expect(w.clients.remotesOf('root')).toEqual({ [hostOf(1)]: `${url(1)} (pinned)`, [hostOf(2)]: `${url(2)} (pinned)` });
  expect(w.trustNames()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root', 'juju-lxd-2-nova', 'juju-lxd-2-root']);
  expect(w.juju.unitStatus.message).toContain('2/2 peers wired');

  w.setPeer('lxd/2', peerBag(2, { address: '10.0.9.9' }));
  const writes = w.clients.writes.length;
  await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/2' });
  expect(w.clients.writes.slice(writes)).toEqual([`write nova ${hostOf(2)} ${url(2, '10.0.9.9')}`, `write root ${hostOf(2)} ${url(2, '10.0.9.9')}`]);

  w.setPeer('lxd/2', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/2', departingUnit: 'lxd/2' });
  for (const user of ['root', 'nova']) expect(Object.keys(w.clients.remotesOf(user))).toEqual([hostOf(1)]);
  expect(w.trustNames()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root']);
  expect(w.juju.unitStatus.message).toContain('1/1 peers wired');
});

test('the same peer hook again changes nothing anywhere', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)));
  await w.run('config-changed');
  await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/1' });
  const before = { juju: w.juju.writes.length, lxd: w.lxd.writes.length, files: w.clients.writes.length };
  await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/1' });
  expect([...w.juju.writes.slice(before.juju), ...w.lxd.writes.slice(before.lxd), ...w.clients.writes.slice(before.files)]).toEqual([]);
});

test('a legacy peer is joined with the password it publishes, and this unit publishes the legacy keys for it', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/3', legacyBag(3)));
  const legacyCert = serverCertOf(3);
  w.lxc.legacyServers.set(url(3), { password: legacyBag(3).password ?? '', serverCertPem: legacyCert });
  await w.run('config-changed');
  expect(w.lxc.joined.sort()).toEqual([`nova ${hostOf(3)}`, `root ${hostOf(3)}`]);
  expect(w.clients.pinOf('root', hostOf(3))).toBe(legacyCert);
  // a legacy peer publishes no client certificate: only the current peer's are trusted
  expect(w.trustNames()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root']);
  expect(w.ownBag()).toMatchObject({ hostname: hostOf(0), password: w.lxd.trustPassword, pool: 'lxd' });
  expect(w.juju.unitStatus.message).toContain('2/2 peers wired');

  // the legacy peer leaves: its remotes go, and so do the legacy keys
  w.setPeer('lxd/3', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/3', departingUnit: 'lxd/3' });
  expect(Object.keys(w.clients.remotesOf('root'))).toEqual([hostOf(1)]);
  expect(w.ownBag().password).toBeUndefined();
});

test('a legacy peer whose password is refused stays waiting, with the reason, and the others are wired', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/3', legacyBag(3)));
  w.lxc.legacyServers.set(url(3), { password: 'another-password', serverCertPem: serverCertOf(3) });
  await w.run('config-changed');
  expect(Object.keys(w.clients.remotesOf('root'))).toEqual([hostOf(1)]);
  expect(w.juju.unitStatus.message).toContain('1/2 peers wired');
  expect(w.juju.logs.some((l) => l.includes('lxd/3') && l.includes('refused the password'))).toBe(true);
});

test('a hook that wires peers commits charm state once: the wiring\'s memory goes with converge\'s own state', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)));
  await w.run('config-changed');
  expect(w.juju.writes.filter((c) => c.startsWith('state-set'))).toHaveLength(1);
  expect(Object.keys(w.juju.state.charmState)).toEqual(expect.arrayContaining(['migration-users', 'migration-peer-lxd-1', 'last-status']));
  expect(w.juju.state.charmState).not.toHaveProperty('migration-wiring');
});

test('a unit carrying the two old memories (migration-wiring and version-1 peer keys) upgrades in its next peer hook: nothing re-wired, one state-set, the old key deleted', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/2', peerBag(2)));
  await w.run('config-changed');
  const converged = { ...w.juju.state.charmState };
  // the state as the charm before the one memory left it
  const state = w.juju.state;
  const digests: Record<string, string> = {};
  for (const unit of ['lxd/1', 'lxd/2']) {
    const key = `migration-peer-${unit.replace('/', '-')}`;
    const { wired: _wired, ...rest } = JSON.parse(state.charmState[key] ?? '{}') as { wired: boolean; digest: string };
    digests[unit] = rest.digest;
    state.charmState[key] = JSON.stringify({ ...rest, v: 1 });
  }
  state.charmState['migration-wiring'] = JSON.stringify({ users: JSON.parse(state.charmState['migration-users'] ?? '[]') as string[], peers: digests });
  delete state.charmState['migration-users'];
  w.juju = new FakeJuju(state);
  const before = { lxd: w.lxd.writes.length, files: w.clients.writes.length, trust: w.lxd.trustCalls.length };

  await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/1' });
  // the old memory still scoped the hook: no trust store read, nothing written but the memory
  expect(w.lxd.trustCalls.slice(before.trust)).toEqual([]);
  expect([...w.lxd.writes.slice(before.lxd), ...w.clients.writes.slice(before.files)]).toEqual([]);
  expect(w.juju.writes).toEqual(['state-set migration-peer-lxd-1,migration-peer-lxd-2,migration-users', 'state-delete migration-wiring']);
  expect(w.juju.state.charmState).toEqual(converged);
  // and from then on the peer hook writes nothing
  const after = w.juju.writes.length;
  await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/2' });
  expect(w.juju.writes.slice(after)).toEqual([]);
});

test('through the hooks: the trust entries a legacy peer made with the password are revoked from FakeLxd\'s trust store when it departs, an older one stays', async () => {
  const derOf = (pem: string): string => {
    const parsed = parseCertificate(pem);
    if (!('ok' in parsed)) throw new Error('bad fixture');
    return parsed.ok.derBase64;
  };
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/3', legacyBag(3)));
  w.lxc.legacyServers.set(url(3), { password: legacyBag(3).password ?? '', serverCertPem: serverCertOf(3) });
  await w.lxd.addTrustEntry({ name: 'operators-laptop', derBase64: derOf(clientCertOf(7, 'root')), projects: [] });
  await w.run('lxd-migration-relation-joined', { remoteUnit: 'lxd/3' });
  // the legacy charm adds its client certificates with the password this unit published, under its own names
  await w.lxd.addTrustEntry({ name: hostOf(3), derBase64: derOf(clientCertOf(3, 'root')), projects: [] });
  await w.lxd.addTrustEntry({ name: 'nova@legacy', derBase64: derOf(clientCertOf(3, 'nova')), projects: [] });
  await w.run('update-status');
  expect(w.trustNames()).toEqual([hostOf(3), 'juju-lxd-1-nova', 'juju-lxd-1-root', 'nova@legacy', 'operators-laptop'].sort());

  w.setPeer('lxd/3', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/3', departingUnit: 'lxd/3' });
  expect(w.trustNames()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root', 'operators-laptop']);
  expect(w.juju.logs.filter((l) => l.includes('that a departed legacy peer made with the trust password'))).toHaveLength(2);
  expect(w.juju.state.charmState).not.toHaveProperty('legacy-trust');
  expect(w.juju.writes).toContain('state-delete legacy-trust');
});
