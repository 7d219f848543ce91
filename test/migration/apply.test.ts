import { applyMigrationChanges, type MigrationIo } from '../../src/migration/apply';
import { desiredMigration, planRemoteChanges, type DesiredMigration, type ObservedMigration } from '../../src/migration/desired-remotes';
import { parsePeers } from '../../src/migration/peer-record';
import type { LocalUser } from '../../src/migration/ports';
import type { Bag } from '../../src/juju/hook-tools';
import { FakeClientConfig } from '../fakes/fake-client-config';
import { FakeTrustStore } from './fake-trust-store';
import { addressOf, hostOf, legacyBag, peerBag, peerBags, unit } from './builders';

const USERS: ReadonlyMap<string, LocalUser> = new Map([
  ['root', { name: 'root', uid: 0, gid: 0, home: '/root' }],
  ['nova', { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' }],
]);

interface World {
  readonly clients: FakeClientConfig;
  readonly trust: FakeTrustStore;
  readonly log: string[];
  readonly joined: string[];
}

const newWorld = (): World => ({ clients: new FakeClientConfig().withForeignRemote('nova', 'local', 'unix://'), trust: new FakeTrustStore(), log: [], joined: [] });

async function observe(world: World): Promise<ObservedMigration> {
  const clients = new Map();
  for (const user of USERS.values()) clients.set(user.name, await world.clients.read(user));
  return { clients, trust: await world.trust.list() };
}

const desiredFor = (bags: ReadonlyMap<string, Bag>, departing: string | null = null): DesiredMigration =>
  desiredMigration({ me: 'lxd/0', users: [...USERS.keys()], peers: parsePeers(hostOf(0), bags), departing });

/** One hook's migration step: observe → plan → apply; returns what it did. */
async function converge(world: World, desired: DesiredMigration): Promise<{ changes: number; failures: number }> {
  const plan = planRemoteChanges(desired, await observe(world));
  const io: MigrationIo = {
    trust: world.trust,
    clients: world.clients,
    users: USERS,
    joinLegacy: async (user, remote) => {
      world.joined.push(`${user.name} ${remote.name}`);
      await world.clients.writeRemote(user, { ...remote, pinnedCert: '-----BEGIN CERTIFICATE-----\nfetched\n-----END CERTIFICATE-----\n' });
    },
    log: async (line) => {
      world.log.push(line);
    },
  };
  const { failures } = await applyMigrationChanges(plan.changes, io);
  return { changes: plan.changes.length, failures: failures.length };
}

test('a mesh of 6 peers is wired in one pass, and a second pass changes nothing', async () => {
  const world = newWorld();
  const desired = desiredFor(peerBags(6));
  expect(await converge(world, desired)).toEqual({ changes: 12 + 12, failures: 0 });
  expect(Object.keys(world.clients.remotesOf('nova'))).toEqual(['juju-host-1', 'juju-host-2', 'juju-host-3', 'juju-host-4', 'juju-host-5', 'juju-host-6', 'local']);
  expect(world.clients.remotesOf('root')['juju-host-3']).toBe(`https://${addressOf(3)}:8443 (pinned)`);
  expect(world.trust.entries.size).toBe(12);
  const writes = world.clients.writes.length;
  const calls = world.trust.calls.length;
  expect(await converge(world, desired)).toEqual({ changes: 0, failures: 0 });
  expect(world.clients.writes.length).toBe(writes);
  expect(world.trust.calls.slice(calls)).toEqual(['GET /1.0/certificates']); // one read, no writes
});

test('a peer that departs leaves no remote and no trust behind', async () => {
  const world = newWorld();
  await converge(world, desiredFor(peerBags(3)));
  await converge(world, desiredFor(peerBags(3), 'lxd/2'));
  expect(Object.keys(world.clients.remotesOf('root'))).toEqual(['juju-host-1', 'juju-host-3']);
  expect([...world.trust.entries.values()].map((t) => t.name).sort()).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root', 'juju-lxd-3-nova', 'juju-lxd-3-root']);
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
  expect(world.joined.sort()).toEqual(['nova juju-host-2', 'root juju-host-2']);
  expect(world.log.join('\n')).not.toContain('pw2');
  expect(await converge(world, desiredFor(bags))).toEqual({ changes: 0, failures: 0 });
});

test('a failing change is reported with its peer and the others still apply', async () => {
  const world = newWorld();
  const users = new Map(USERS);
  users.delete('nova'); // nova's account is gone: its changes fail, root's still go through
  const plan = planRemoteChanges(desiredFor(peerBags(2)), await observe(world));
  const { failures } = await applyMigrationChanges(plan.changes, { trust: world.trust, clients: world.clients, users, joinLegacy: null, log: async () => undefined });
  expect(failures.map((f) => `${f.peer} ${f.reason}`)).toEqual(['lxd/1 user nova does not exist on this machine', 'lxd/2 user nova does not exist on this machine']);
  expect(Object.keys(world.clients.remotesOf('root'))).toEqual(['juju-host-1', 'juju-host-2']);
});
