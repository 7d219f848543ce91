// refresh-remotes over the migration wiring's ports faked in memory: a peer's missing remote and trust
// are repaired and reported; a second run changes nothing; a unit without peers or listener is refused.
import { aUnit } from '../../builders/juju-state';
import { actionEvent } from '../../builders/juju-events';
import { FakeClientConfig } from '../../fakes/fake-client-config';
import { FakeHost } from '../../fakes/fake-host';
import { FakeHostsFile } from '../../fakes/fake-hosts-file';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import { FakeTrustStore } from '../../migration/fake-trust-store';
import { addressOf, hostOf, peerBag, serverCertOf } from '../../migration/builders';
import { makeRefreshRemotes } from '../../../src/handlers/actions/refresh-remotes';
import type { MigrationPorts } from '../../../src/handlers/migration';
import type { ServerInfo } from '../../../src/lxd/lxd-api';
import type { JujuStateBuilder } from '../../builders/juju-state';

class ListeningLxd extends FakeLxd {
  constructor(private readonly listening = true) {
    super();
  }

  override async server(): Promise<ServerInfo> {
    const info = await super.server();
    return this.listening ? { ...info, addresses: ['10.0.0.10:8443'], certificatePem: serverCertOf(0) } : info;
  }
}

const USERS = { root: { name: 'root', uid: 0, gid: 0, home: '/root' }, nova: { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' } };

function portsWith(trust: FakeTrustStore, clients: FakeClientConfig): MigrationPorts {
  return {
    trust,
    clients,
    hosts: new FakeHostsFile(),
    hostname: hostOf(0),
    users: async (names) => ({ found: names.flatMap((n) => (n === 'root' || n === 'nova' ? [USERS[n]] : [])), missing: names.filter((n) => n !== 'root' && n !== 'nova') }),
  };
}

async function run(builder: JujuStateBuilder, ports: MigrationPorts | null, lxd: FakeLxd = new ListeningLxd()) {
  const juju = new FakeJuju(builder.runningAction('refresh-remotes'));
  await makeRefreshRemotes(() => ports)({ event: actionEvent('refresh-remotes', juju.state), juju, lxd, host: new FakeHost(), now: () => new Date(0) });
  juju.commit();
  return juju.state.action;
}

const withPeers = (): JujuStateBuilder =>
  aUnit('lxd/0').withConfig({ 'lvm-thinpool': false }).withPeer('lxd/1', peerBag(1)).withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } });

test('repairs every peer\'s remotes and trust now, and reports the changes; a second run changes nothing', async () => {
  const trust = new FakeTrustStore();
  const clients = new FakeClientConfig();
  const ports = portsWith(trust, clients);
  const first = await run(withPeers(), ports);
  expect(first?.failed).toBeNull();
  const url = `https://${addressOf(1)}:8443`;
  expect(first?.results).toMatchObject({
    changed: '4',
    removed: 'nothing',
    peers: '1 of 1 wired',
    waiting: 'none',
    conflicts: 'none',
  });
  expect(String(first?.results.added).split('\n')).toEqual([
    `remote nova ${hostOf(1)} ${url} pinned`,
    `remote root ${hostOf(1)} ${url} pinned`,
    expect.stringMatching(/^trust juju-lxd-1-nova [0-9a-f]{16}$/),
    expect.stringMatching(/^trust juju-lxd-1-root [0-9a-f]{16}$/),
  ]);
  const second = await run(withPeers(), ports);
  expect(second?.results).toMatchObject({ changed: '0', added: 'nothing', removed: 'nothing', peers: '1 of 1 wired' });
});

test('refused without peers, without a listener, or without trust administration', async () => {
  const ports = portsWith(new FakeTrustStore(), new FakeClientConfig());
  expect((await run(aUnit('lxd/0'), ports))?.failed).toMatch(/^this unit is not in an lxd-migration relation/);
  expect((await run(withPeers(), ports, new ListeningLxd(false)))?.failed).toMatch(/^LXD is not listening on the network yet/);
  expect((await run(withPeers(), null))?.failed).toBe("this unit's LXD client cannot administer the trust store");
});
