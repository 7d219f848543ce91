// list-remotes over fake client files and a scripted probe: users from the lxd relation, pins checked
// against the peers' published certificates, each remote's answer, and the failures.
import { aUnit } from '../../builders/juju-state';
import { servicesFor } from '../../builders/run-hook';
import { actionEvent } from '../../builders/juju-events';
import { FakeHost } from '../../fakes/fake-host';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import { makeListRemotes, type RemotesIo } from '../../../src/handlers/actions/list-remotes';
import type { ProbeResult } from '../../../src/lxd/remote-probe';
import { parseCertificate } from '../../../src/lxd/certificates';
import type { LocalUser, UserClientConfig } from '../../../src/lxd/client-config-store';
import { cert, peerBag, serverCertOf } from '../../migration/builders';

const fp = (pem: string): string => {
  const parsed = parseCertificate(pem);
  if (!('ok' in parsed)) throw new Error('fixture is not a certificate');
  return parsed.ok.fingerprint;
};

const USERS: Record<string, LocalUser> = { root: { name: 'root', uid: 0, gid: 0, home: '/root' }, nova: { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' } };

function filesWith(remotes: Record<string, UserClientConfig>, probes: Record<string, ProbeResult>): RemotesIo & { probed: string[] } {
  const probed: string[] = [];
  return {
    probed,
    users: async (names) => ({ found: names.flatMap((n) => (USERS[n] ? [USERS[n]] : [])), missing: names.filter((n) => !USERS[n]) }),
    read: async (user) => {
      const config = remotes[user.name];
      if (!config) throw new Error(`lxc client config of ${user.name}: config.yml does not parse`);
      return config;
    },
    probe: async (url, timeoutMs) => {
      probed.push(`${url} ${timeoutMs}`);
      return probes[url] ?? { answers: false, reason: 'ECONNREFUSED' };
    },
  };
}

const managed = (entries: Array<{ name: string; url: string; peer: string; pinnedCert: string | null }>): UserClientConfig => ({
  managed: new Map(entries.map((e) => [e.name, e])),
  foreign: new Set(['local', 'images']),
});

async function run(io: RemotesIo, params: Record<string, unknown>, users: string[] = ['nova']) {
  const builder = aUnit('lxd/0')
    .withPeer('lxd/1', peerBag(1))
    .withPeer('lxd/2', peerBag(2))
    .withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: users[0] ?? '' } } })
    .runningAction('list-remotes', params);
  const juju = new FakeJuju(builder);
  const state = juju.state;
  await makeListRemotes(() => io)(servicesFor(actionEvent('list-remotes', state), { juju, lxd: new FakeLxd(), host: new FakeHost() }));
  juju.commit();
  return juju.state.action;
}

test('reports each user\'s wired remotes: URL, peer, pin against what the peer publishes, and whether it answers', async () => {
  const wired = [
    { name: 'juju-host-1', url: 'https://10.0.0.11:8443', peer: 'lxd/1', pinnedCert: serverCertOf(1) },
    { name: 'juju-host-2', url: 'https://10.0.0.12:8443', peer: 'lxd/2', pinnedCert: cert(39) },
  ];
  const io = filesWith(
    { root: managed(wired), nova: managed(wired.slice(0, 1)) },
    { 'https://10.0.0.11:8443': { answers: true, fingerprint: fp(serverCertOf(1)) }, 'https://10.0.0.12:8443': { answers: true, fingerprint: fp(serverCertOf(2)) } },
  );
  const action = await run(io, { timeout: 2 });
  expect(action?.failed).toBeNull();
  expect(action?.results).toEqual({
    count: '3',
    'users.0.user': 'root',
    'users.0.count': '2',
    'users.0.remotes.0.name': 'juju-host-1',
    'users.0.remotes.0.url': 'https://10.0.0.11:8443',
    'users.0.remotes.0.peer': 'lxd/1',
    'users.0.remotes.0.pin': 'pinned to the certificate the peer publishes',
    'users.0.remotes.0.answers': 'yes, with the pinned certificate',
    'users.0.remotes.1.name': 'juju-host-2',
    'users.0.remotes.1.url': 'https://10.0.0.12:8443',
    'users.0.remotes.1.peer': 'lxd/2',
    'users.0.remotes.1.pin': 'pinned to a certificate lxd/2 no longer publishes',
    'users.0.remotes.1.answers': 'yes, but with a certificate other than the pinned one: lxc will refuse it',
    'users.1.user': 'nova',
    'users.1.count': '1',
    'users.1.remotes.0.name': 'juju-host-1',
    'users.1.remotes.0.url': 'https://10.0.0.11:8443',
    'users.1.remotes.0.peer': 'lxd/1',
    'users.1.remotes.0.pin': 'pinned to the certificate the peer publishes',
    'users.1.remotes.0.answers': 'yes, with the pinned certificate',
  });
  expect(io.probed).toEqual(expect.arrayContaining(['https://10.0.0.11:8443 2000', 'https://10.0.0.12:8443 2000']));
});

test('unpinned, departed and silent remotes; a user that does not exist; an unreadable config', async () => {
  const io = filesWith(
    { root: managed([{ name: 'old', url: 'https://10.0.0.99:8443', peer: 'lxd/9', pinnedCert: serverCertOf(9) }, { name: 'legacy', url: 'https://10.0.0.50:8443', peer: 'lxd/1', pinnedCert: null }]) },
    { 'https://10.0.0.50:8443': { answers: true, fingerprint: 'ab'.repeat(32) } },
  );
  const action = await run(io, { timeout: 5 }, ['ghost']);
  expect(action?.results).toMatchObject({
    count: '2',
    'missing-users': 'ghost',
    'users.0.remotes.0.name': 'legacy',
    'users.0.remotes.0.pin': 'not pinned',
    'users.0.remotes.0.answers': 'yes (its certificate is not pinned)',
    'users.0.remotes.1.name': 'old',
    'users.0.remotes.1.pin': 'pinned; lxd/9 is not in the lxd-migration relation now',
    'users.0.remotes.1.answers': 'no: ECONNREFUSED',
  });
  const unreadable = await run(filesWith({ root: managed([]) }, {}), { timeout: 5 });
  expect(unreadable?.results).toMatchObject({ count: '0', 'users.0.count': '0', 'users.1.user': 'nova', 'users.1.error': 'lxc client config of nova: config.yml does not parse' });
});

test('parameters are checked first', async () => {
  const io = filesWith({}, {});
  expect((await run(io, { timeout: 0 }))?.failed).toMatch(/^invalid parameters: timeout must be >= 1/);
  expect((await run(io, { timeout: 'soon' }))?.failed).toMatch(/^invalid parameters: timeout must be integer/);
  expect(io.probed).toEqual([]);
});
