// show-config through the event table: the desired document and the differences from the host now;
// it changes nothing, and after a converge there is no difference left.
import { aUnit, type JujuStateBuilder } from '../builders/juju-state';
import { runAction, runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

const unit = (): JujuStateBuilder => aUnit().withConfig({ 'bridge-ipv4': '10.9.0.1/24' });
const withShowConfig = (juju: FakeJuju): FakeJuju => new FakeJuju({ ...juju.state, action: { name: 'show-config', params: {}, results: {}, failed: null, logs: [] } });

test('show-config prints the desired document and the differences, and changes nothing', async () => {
  let juju = new FakeJuju(unit().runningAction('show-config'));
  const lxd = new FakeLxd();
  const host = new FakeHost();
  expect((await runAction('show-config', { juju, lxd, host })).exitCode).toBe(0);
  const results = juju.state.action?.results ?? {};
  expect(results.desired).toContain('ipv4.address: "10.9.0.1/24"');
  expect(results.desired).toContain('core.trust_password: "<secret>"');
  expect(String(results.differences).split('\n')).toEqual(expect.arrayContaining(['create lvm storage pool lxd', 'create bridge lxdbr0', 'set core.trust_password']));
  expect(lxd.writes).toEqual([]);
  expect(host.actions).toEqual([]);
  expect(juju.writes).toEqual([]);

  juju = new FakeJuju(unit());
  expect((await runHook('config-changed', { juju, lxd, host })).exitCode).toBe(0);
  juju = withShowConfig(juju);
  expect((await runAction('show-config', { juju, lxd, host })).exitCode).toBe(0);
  expect(juju.state.action?.results.differences).toBe('none: the host is as desired');
  expect(juju.state.action?.results['trust-methods']).toBe('password, token');
});

test('show-config fails the action on invalid config, naming the options', async () => {
  const juju = new FakeJuju(aUnit().withConfig({ 'https-port': 0 }).runningAction('show-config'));
  await runAction('show-config', { juju, lxd: new FakeLxd(), host: new FakeHost() });
  expect(juju.state.action?.failed).toBe('invalid config: https-port must be >= 1');
});
