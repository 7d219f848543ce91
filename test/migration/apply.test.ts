import { applyEach, type ApplyIo } from '../../src/reconcile/apply';
import { readCharmState } from '../../src/model/charm-state';
import { aUnit } from '../builders/juju-state';
import { FakeHost } from '../fakes/fake-host';
import { FakeHostsFile } from '../fakes/fake-hosts-file';
import { FakeJuju } from '../fakes/fake-juju';
import { desiredMigration, planRemoteChanges, type DesiredMigration, type ObservedMigration } from '../../src/reconcile/peers';
import type { LocalUser } from '../../src/lxd/client-config-store';
import type { Bag } from '../../src/juju/hook-tools';
import { FakeClientConfig } from '../fakes/fake-client-config';
import { FakeLxd } from '../fakes/fake-lxd';
import { FakeLxcClient } from '../fakes/fake-lxc-client';
import { addressOf, legacyBag, peerBag, peerBags, unit , peerSetOf } from './builders';

const USERS: ReadonlyMap<string, LocalUser> = new Map([
  ['root', { name: 'root', uid: 0, gid: 0, home: '/root' }],
  ['nova', { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' }],
]);

interface World {
  readonly clients: FakeClientConfig;
  readonly trust: FakeLxd;
  readonly lxc: FakeLxcClient;
  readonly juju: FakeJuju;
}

function newWorld(): World {
  const clients = new FakeClientConfig().withForeignRemote('nova', 'local', 'unix://');
  const lxc = new FakeLxcClient(clients);
  lxc.legacyServers.set(`https://${addressOf(2)}:8443`, { password: legacyBag(2).password ?? '', serverCertPem: '-----BEGIN CERTIFICATE-----\nfetched\n-----END CERTIFICATE-----\n' });
  return { clients, trust: new FakeLxd(), lxc, juju: new FakeJuju(aUnit('lxd/0')) };
}

async function observe(world: World): Promise<ObservedMigration> {
  const clients = new Map();
  for (const user of USERS.values()) clients.set(user.name, await world.clients.read(user));
  return { clients, trust: await world.trust.trustEntries() };
}

interface Wanted {
  readonly desired: DesiredMigration;
  /** legacy peers' published passwords */
  readonly passwords: ReadonlyMap<string, string>;
}

function desiredFor(bags: ReadonlyMap<string, Bag>, departing: string | null = null): Wanted {
  const peers = peerSetOf(bags);
  return { desired: desiredMigration({ me: 'lxd/0', users: [...USERS.keys()], peers, departing }), passwords: new Map(peers.legacy.map((p) => [p.unit, p.password])) };
}

/** The apply phase's adapters over the world's fakes. */
const ioOf = (world: World, users: ReadonlyMap<string, LocalUser>, passwords: ReadonlyMap<string, string>): ApplyIo => ({
  lxd: world.trust,
  host: new FakeHost(),
  juju: world.juju,
  clients: world.clients,
  lxc: world.lxc,
  hosts: new FakeHostsFile(),
  trustPassword: async () => ({ value: 'not-used', hash: '' }),
  peers: { users, passwords },
});

/** One hook's migration step: observe → plan → apply; returns what it did. */
async function converge(world: World, { desired, passwords }: Wanted): Promise<{ changes: number; failures: number }> {
  const plan = planRemoteChanges(desired, await observe(world));
  const { failures } = await applyEach(plan.changes, ioOf(world, USERS, passwords), readCharmState({}));
  return { changes: plan.changes.length, failures: failures.length };
}

test('a mesh of 6 peers is wired in one pass, and a second pass changes nothing', async () => {
  const world = newWorld();
  const desired = desiredFor(peerBags(6));
  expect(await converge(world, desired)).toEqual({ changes: 12 + 12, failures: 0 });
  expect(Object.keys(world.clients.remotesOf('nova'))).toEqual(['juju-host-1', 'juju-host-2', 'juju-host-3', 'juju-host-4', 'juju-host-5', 'juju-host-6', 'local']);
  expect(world.clients.remotesOf('root')['juju-host-3']).toBe(`https://${addressOf(3)}:8443 (pinned)`);
  expect(world.trust.trust.size).toBe(12);
  const writes = world.clients.writes.length;
  const calls = world.trust.trustCalls.length;
  expect(await converge(world, desired)).toEqual({ changes: 0, failures: 0 });
  expect(world.clients.writes.length).toBe(writes);
  expect(world.trust.trustCalls.slice(calls)).toEqual(['GET /1.0/certificates']); // one read, no writes
});

test('a peer that departs leaves no remote and no trust behind', async () => {
  const world = newWorld();
  await converge(world, desiredFor(peerBags(3)));
  await converge(world, desiredFor(peerBags(3), 'lxd/2'));
  expect(Object.keys(world.clients.remotesOf('root'))).toEqual(['juju-host-1', 'juju-host-3']);
  expect([...world.trust.trust.values()].map((t) => t.name).sort()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root', 'juju-lxd-3-nova', 'juju-lxd-3-root']);
});

test('a hostile peer is refused while the others are wired', async () => {
  const world = newWorld();
  const bags = peerBags(3);
  bags.set(unit(2), peerBag(2, { hostname: '--help' }));
  await converge(world, desiredFor(bags));
  expect(Object.keys(world.clients.remotesOf('nova'))).toEqual(['juju-host-1', 'juju-host-3', 'local']);
});

test('a legacy peer is joined for each user through joinLegacy, and its password is never logged', async () => {
  const world = newWorld();
  const bags = new Map([...peerBags(1), [unit(2), legacyBag(2)]]);
  await converge(world, desiredFor(bags));
  expect(world.lxc.joined.sort()).toEqual(['nova juju-host-2', 'root juju-host-2']);
  expect(world.juju.logs.join('\n')).toContain('join legacy peer lxd/2');
  expect(world.juju.logs.join('\n')).not.toContain('pw2');
  expect(await converge(world, desiredFor(bags))).toEqual({ changes: 0, failures: 0 });
});

test('a failing change is reported with its peer and the others still apply', async () => {
  const world = newWorld();
  const users = new Map(USERS);
  users.delete('nova'); // nova's account is gone: its changes fail, root's still go through
  const plan = planRemoteChanges(desiredFor(peerBags(2)).desired, await observe(world));
  const { failures } = await applyEach(plan.changes, ioOf(world, users, new Map()), readCharmState({}));
  expect(failures.map((f) => `${f.peers.join(',')} ${f.reason}`)).toEqual(['lxd/1 user nova does not exist on this machine', 'lxd/2 user nova does not exist on this machine']);
  expect(Object.keys(world.clients.remotesOf('root'))).toEqual(['juju-host-1', 'juju-host-2']);
});
