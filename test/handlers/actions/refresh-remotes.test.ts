// refresh-remotes with LXD's trust store and the users' lxc files in memory: a peer's missing remote and trust
// are repaired and reported; a second run changes nothing; a unit without peers or listener is refused.
import { aUnit } from '../../builders/juju-state';
import { actionEvent } from '../../builders/juju-events';
import { FakeClientConfig } from '../../fakes/fake-client-config';
import { FakeHost } from '../../fakes/fake-host';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import { addressOf, hostOf, peerBag, serverCertOf } from '../../migration/builders';
import { refreshRemotes } from '../../../src/handlers/actions/refresh-remotes';
import { servicesFor } from '../../builders/run-hook';
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

interface Unit {
  readonly lxd: FakeLxd;
  readonly clients: FakeClientConfig;
}

const newUnit = (lxd: FakeLxd = new ListeningLxd()): Unit => ({ lxd, clients: new FakeClientConfig() });

async function run(builder: JujuStateBuilder, unit: Unit = newUnit()) {
  const juju = new FakeJuju(builder.runningAction('refresh-remotes'));
  await refreshRemotes(servicesFor(actionEvent('refresh-remotes', juju.state), { juju, lxd: unit.lxd, host: new FakeHost(), clients: unit.clients, hostname: hostOf(0) }));
  juju.commit();
  return juju.state.action;
}

const withPeers = (): JujuStateBuilder =>
  aUnit('lxd/0').withConfig({ 'lvm-thinpool': false }).withPeer('lxd/1', peerBag(1)).withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } });

test('repairs every peer\'s remotes and trust now, and reports the changes; a second run changes nothing', async () => {
  const unit = newUnit();
  const first = await run(withPeers(), unit);
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
  const second = await run(withPeers(), unit);
  expect(second?.results).toMatchObject({ changed: '0', added: 'nothing', removed: 'nothing', peers: '1 of 1 wired' });
});

test('refused without peers or without a listener', async () => {
  expect((await run(aUnit('lxd/0')))?.failed).toMatch(/^this unit is not in an lxd-migration relation/);
  expect((await run(withPeers(), newUnit(new ListeningLxd(false))))?.failed).toMatch(/^LXD is not listening on the network yet/);
});
