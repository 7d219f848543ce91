// migrate-container over fake client files and a scripted lxc: the peer and its wired remote are
// resolved, a running or missing container and an unwired peer are refused, and the move is made.
import { aUnit } from '../../builders/juju-state';
import { servicesFor } from '../../builders/run-hook';
import { actionEvent } from '../../builders/juju-events';
import { FakeHost } from '../../fakes/fake-host';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import { makeMigrateContainer, type LxcResult, type MigrateIo } from '../../../src/handlers/actions/migrate-container';
import type { LocalUser, UserClientConfig } from '../../../src/lxd/client-config-store';
import { peerBag, serverCertOf } from '../../migration/builders';

const USERS: Record<string, LocalUser> = { root: { name: 'root', uid: 0, gid: 0, home: '/root' }, nova: { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' } };

function fakeIo(remotes: Record<string, string[]>, instances: Record<string, string>, moveFails = ''): MigrateIo & { calls: string[] } {
  const calls: string[] = [];
  const config = (user: string): UserClientConfig => ({
    managed: new Map((remotes[user] ?? []).map((peer) => [`juju-host-${peer.slice(4)}`, { name: `juju-host-${peer.slice(4)}`, url: `https://10.0.0.1${peer.slice(4)}:8443`, peer, pinnedCert: serverCertOf(1) }])),
    foreign: new Set(),
  });
  return {
    calls,
    users: async (names) => ({ found: names.flatMap((n) => (USERS[n] ? [USERS[n]] : [])), missing: names.filter((n) => !USERS[n]) }),
    read: async (user) => config(user.name),
    lxc: async (user, args): Promise<LxcResult> => {
      calls.push(`${user.name}: lxc ${args.join(' ')}`);
      if (args[0] === 'query') {
        const name = String(args[1]).split('/').pop() ?? '';
        const status = instances[name];
        return status ? { exitCode: 0, stdout: JSON.stringify({ name, status }), stderr: '' } : { exitCode: 1, stdout: '', stderr: 'Error: Instance not found\n' };
      }
      return moveFails ? { exitCode: 1, stdout: '', stderr: `Error: ${moveFails}\n` } : { exitCode: 0, stdout: '', stderr: '' };
    },
  };
}

async function run(io: MigrateIo, params: Record<string, unknown>) {
  const juju = new FakeJuju(
    aUnit('lxd/0')
      .withPeer('lxd/1', peerBag(1))
      .withPeer('lxd/2', peerBag(2))
      .withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } })
      .runningAction('migrate-container', params),
  );
  await makeMigrateContainer(() => io)(servicesFor(actionEvent('migrate-container', juju.state), { juju, lxd: new FakeLxd(), host: new FakeHost() }));
  juju.commit();
  return juju.state.action;
}

test('moves a stopped container through the peer\'s wired remote, as the named user', async () => {
  const io = fakeIo({ nova: ['lxd/1', 'lxd/2'] }, { c1: 'Stopped' });
  const action = await run(io, { container: 'c1', to: 'lxd/2', user: 'nova' });
  expect(action?.failed).toBeNull();
  expect(action?.results).toEqual({
    container: 'c1',
    from: 'lxd/0',
    to: 'lxd/2',
    remote: 'juju-host-2',
    url: 'https://10.0.0.12:8443',
    user: 'nova',
    result: 'moved (cold); start it on the target with lxc start',
  });
  expect(io.calls).toEqual(['nova: lxc query /1.0/instances/c1', 'nova: lxc move c1 juju-host-2:c1']);
  expect(action?.logs).toEqual(['moving c1 to lxd/2 (remote juju-host-2, https://10.0.0.12:8443) as nova']);
});

test.each([
  [{ container: 'c1', to: 'lxd/9' }, /^lxd\/9 is not a peer of this unit on lxd-migration \(peers: lxd\/1, lxd\/2\)/],
  [{ container: 'c1', to: 'lxd/0' }, /^lxd\/0 is this unit/],
  [{ container: 'c1', to: 'lxd/2' }, /^lxd\/2 is not wired for root yet .*list-remotes/],
  [{ container: 'c1', to: 'lxd/1', user: 'mallory' }, /^user "mallory" is neither root nor a user nova-compute named \(root, nova\)$/],
  [{ container: 'up', to: 'lxd/1' }, /^container up is Running: migrate-container moves stopped containers only \(a live move needs CRIU on both hosts\); stop it \(lxc stop up\) and run again$/],
  [{ container: 'gone', to: 'lxd/1' }, /^no container named gone on lxd\/0/],
  [{ container: '../x', to: 'lxd/1' }, /^container "\.\.\/x" is not an LXD instance name/],
  [{ container: 'c1' }, /^invalid parameters: missing parameter "to"/],
  [{ container: 'c1', to: 'lxd/1', live: true }, /^invalid parameters: unknown parameter "live"/],
])('refuses %j without moving anything', async (params, message) => {
  const io = fakeIo({ root: ['lxd/1'] }, { c1: 'Stopped', up: 'Running' });
  const action = await run(io, params);
  expect(action?.failed).toMatch(message);
  expect(io.calls.filter((c) => c.includes(' move '))).toEqual([]);
});

test('a failed lxc move is reported with lxc\'s reason', async () => {
  const io = fakeIo({ root: ['lxd/1'] }, { c1: 'Stopped' }, 'Failed creating instance record: Instance "c1" already exists');
  const action = await run(io, { container: 'c1', to: 'lxd/1' });
  expect(action?.failed).toBe('lxc move c1 juju-host-1:c1 failed as root: Failed creating instance record: Instance "c1" already exists; the container is still on lxd/0 unless lxc says otherwise');
});
