// The lxd-migration wiring as converge runs it: peer bags in FakeJuju, LXD's trust store and each user's
// lxc files in memory. State in → hook → state out; the same hook again changes nothing anywhere.
import { peerMemoryKey } from '../../src/model/peer-memory';
import type { Bag } from '../../src/juju/hook-tools';
import { withPeerWiring, type PeerWiring } from '../../src/model/status';
import { aUnit } from '../builders/juju-state';
import { addressOf, hostOf, peerBag, serverCertOf } from '../migration/builders';
import { MigrationWorld, SERVER } from '../migration/world';

/** The shared wiring world, with what these tests read back: this unit's bag, and every write since a mark. */
class World extends MigrationWorld {
  ownBag(): Bag {
    return this.juju.state.relations.find((r) => r.peer)?.localUnit ?? {};
  }

  /** every write to the trust store, lxc files and Juju since `mark` */
  marker(): () => string[] {
    const before = { trust: this.lxd.trustCalls.length, clients: this.clients.writes.length, juju: this.juju.writes.length };
    return () => [
      ...this.lxd.trustCalls.slice(before.trust).filter((c) => !c.startsWith('GET')),
      ...this.clients.writes.slice(before.clients),
      ...this.juju.writes.slice(before.juju),
    ];
  }
}

const twoPeers = (): World => new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/2', peerBag(2)));

test('two peers become pinned remotes for root and nova, their client certificates trusted; 2/2 wired', async () => {
  const w = twoPeers();
  const result = await w.run();
  for (const user of ['root', 'nova']) {
    expect(w.clients.remotesOf(user)).toEqual({ [hostOf(1)]: `https://${addressOf(1)}:8443 (pinned)`, [hostOf(2)]: `https://${addressOf(2)}:8443 (pinned)` });
    expect(w.clients.pinOf(user, hostOf(2))).toBe(serverCertOf(2));
  }
  expect([...w.lxd.trust.values()].map((e) => e.name).sort()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root', 'juju-lxd-2-nova', 'juju-lxd-2-root']);
  expect(result).toEqual({ total: 2, wired: ['lxd/1', 'lxd/2'], waiting: [], conflicts: [], refused: [] });
});

test('this unit publishes its versioned record: hostname, address, port, server and client certificates', async () => {
  const w = twoPeers();
  await w.run();
  const bag = w.ownBag();
  expect(bag).toMatchObject({ version: '1', hostname: hostOf(0), address: addressOf(0), port: '8443', 'server-cert': serverCertOf(0) });
  expect(Object.keys(JSON.parse(bag['client-certs'] ?? '{}') as object)).toEqual(['nova', 'root']);
  // no legacy peer: no password on the relation
  expect(bag.password).toBeUndefined();
});

test('running the same hook again changes nothing anywhere and reads no trust store', async () => {
  const w = twoPeers();
  await w.run();
  const since = w.marker();
  const lists = w.lxd.trustCalls.length;
  await w.run();
  expect(since()).toEqual([]);
  expect(w.lxd.trustCalls.length).toBe(lists);
});

test('a peer whose address changed: only its remotes move, nothing else is touched', async () => {
  const w = twoPeers();
  await w.run();
  w.setPeer('lxd/2', peerBag(2, { address: '10.0.9.9' }));
  const since = w.marker();
  const result = await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/2' });
  expect(since().filter((c) => !c.startsWith('state-set'))).toEqual([`write nova ${hostOf(2)} https://10.0.9.9:8443`, `write root ${hostOf(2)} https://10.0.9.9:8443`]);
  expect(result?.wired).toEqual(['lxd/1', 'lxd/2']);
});

test('a departed peer loses its remotes and trust; the others stay', async () => {
  const w = twoPeers();
  await w.run();
  w.setPeer('lxd/2', null);
  const result = await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/2', departingUnit: 'lxd/2' });
  for (const user of ['root', 'nova']) expect(Object.keys(w.clients.remotesOf(user))).toEqual([hostOf(1)]);
  expect([...w.lxd.trust.values()].map((e) => e.name).sort()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root']);
  expect(result?.total).toBe(1);
});

test('the departing unit removes its own remotes and trust of the others', async () => {
  const w = twoPeers();
  await w.run();
  const result = await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/1', departingUnit: 'lxd/0' });
  expect(w.clients.remotesOf('root')).toEqual({});
  expect(w.clients.remotesOf('nova')).toEqual({});
  expect(w.lxd.trust.size).toBe(0);
  expect(result?.total).toBe(0);
});

test('a hostile record is refused with a log line naming peer and field; the other peer is wired', async () => {
  const w = new World(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/2', peerBag(2, { hostname: '--help', address: '$(reboot)' })));
  const result = await w.run();
  expect(w.juju.logs).toContainEqual(expect.stringMatching(/^WARNING peer lxd\/2 refused: hostname "--help" is not a valid remote name.*address "\$\(reboot\)" is not an IPv4 or IPv6 address/));
  expect(Object.keys(w.clients.remotesOf('nova'))).toEqual([hostOf(1)]);
  expect(result).toMatchObject({ total: 1, wired: ['lxd/1'], refused: ['lxd/2'] });
});

test('a peer that cannot be wired is waiting with the reason, and the next hook tries it again', async () => {
  const w = twoPeers();
  w.clients.failFor = hostOf(2);
  const result = await w.run();
  expect(result?.waiting).toEqual([{ unit: 'lxd/2', reason: `cannot write remote ${hostOf(2)}: disk full` }]);
  const remembered = (unit: string): unknown => JSON.parse(w.juju.state.charmState[peerMemoryKey(unit)] ?? '{}');
  expect(remembered('lxd/1')).toMatchObject({ wired: true });
  expect(remembered('lxd/2')).toMatchObject({ wired: false });
  w.clients.failFor = null;
  // an unrelated peer's -changed still retries lxd/2, because its record was never marked done
  const again = await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/1' });
  expect(again?.waiting).toEqual([]);
  expect(Object.keys(w.clients.remotesOf('nova'))).toEqual([hostOf(1), hostOf(2)]);
});

test('an operator remote with a peer hostname is left alone and reported as a conflict', async () => {
  const w = twoPeers();
  w.clients.withForeignRemote('nova', hostOf(1), 'https://192.0.2.1:8443');
  const result = await w.run();
  expect(w.clients.remotesOf('nova')[hostOf(1)]).toBe('https://192.0.2.1:8443');
  expect(result?.conflicts).toEqual([`nova already has a remote named ${hostOf(1)} that the charm does not manage: peer lxd/1 not wired for nova`]);
});

test('no wiring without a server certificate or a peer relation: converge reports as before', async () => {
  const w = twoPeers();
  expect(await w.run('update-status', {}, { server: { ...SERVER, certificatePem: '' } })).toBeNull();
  const alone = new World(aUnit('lxd/0'));
  expect(await alone.run('update-status')).toBeNull();
});

describe('status with the peer wiring', () => {
  const ready = { status: 'active' as const, message: 'Unit is ready (dir pool lxd, bridge lxdbr0)' };
  const wiringOf = (over: Partial<PeerWiring>): PeerWiring => ({ total: 2, wired: ['lxd/1', 'lxd/2'], waiting: [], conflicts: [], refused: [], ...over });

  test('all wired: the ready message says N/M peers wired', () => {
    expect(withPeerWiring(ready, wiringOf({}))).toEqual({ status: 'active', message: 'Unit is ready (dir pool lxd, bridge lxdbr0, 2/2 peers wired)' });
  });

  test('a peer not wired: waiting, naming it and why', () => {
    expect(withPeerWiring(ready, wiringOf({ wired: ['lxd/1'], waiting: [{ unit: 'lxd/2', reason: 'connect ECONNREFUSED' }] }))).toEqual({
      status: 'waiting',
      message: '1/2 peers wired; waiting for lxd/2 (connect ECONNREFUSED)',
    });
  });

  test('a name conflict blocks; a blocked host status wins over everything', () => {
    expect(withPeerWiring(ready, wiringOf({ conflicts: ['nova already has a remote named h1'] })).status).toBe('blocked');
    const down = { status: 'blocked' as const, message: 'LXD is not running' };
    expect(withPeerWiring(down, wiringOf({}))).toBe(down);
  });

  test('no peers: the ready status is unchanged; refused peers are named', () => {
    expect(withPeerWiring(ready, wiringOf({ total: 0, wired: [] }))).toBe(ready);
    expect(withPeerWiring(ready, wiringOf({ total: 1, wired: ['lxd/1'], refused: ['lxd/2'] })).message).toBe('Unit is ready (dir pool lxd, bridge lxdbr0, 1/1 peers wired, refused: lxd/2)');
  });
});

test('one changed peer costs the same LXD and file work with 12 peers as with 2', async () => {
  const workFor = async (count: number): Promise<string[]> => {
    let builder = aUnit('lxd/0');
    for (let n = 1; n <= count; n++) builder = builder.withPeer(`lxd/${n}`, peerBag(n));
    const w = new World(builder);
    await w.run();
    w.setPeer('lxd/1', peerBag(1, { address: '10.0.9.1' }));
    const calls = w.lxd.trustCalls.length;
    const since = w.marker();
    await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/1' });
    return [...w.lxd.trustCalls.slice(calls), ...since().filter((c) => !c.startsWith('state-set'))];
  };
  const two = await workFor(2);
  expect(two).toEqual(['GET /1.0/certificates', `write nova ${hostOf(1)} https://10.0.9.1:8443`, `write root ${hostOf(1)} https://10.0.9.1:8443`]);
  expect(await workFor(12)).toEqual(two);
});
