// Hooks through the charm's real event table, state in → event → state out, with test/builders/run-hook.ts.
import { aUnit } from '../builders/juju-state';
import { runAction, runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

test('stop leaves LXD alone and says so', async () => {
  const juju = new FakeJuju(aUnit().withPeer('lxd/1'));
  const outcome = await runHook('stop', { juju, lxd: new FakeLxd(), host: new FakeHost() });
  expect(outcome).toEqual({ exitCode: 0, stderr: [] });
  expect(juju.logs).toEqual(['INFO stop: leaving LXD and its instances running']);
  expect(juju.writes).toEqual([]);
});

test('a hook the charm does not handle changes nothing', async () => {
  const juju = new FakeJuju(aUnit());
  const lxd = new FakeLxd();
  const host = new FakeHost();
  expect((await runHook('collect-metrics', { juju, lxd, host })).exitCode).toBe(0);
  expect([...juju.writes, ...lxd.writes, ...host.actions]).toEqual([]);
});

test('runAction refuses a state that is not running that action', () => {
  const juju = new FakeJuju(aUnit());
  expect(() => runAction('show-config', { juju, lxd: new FakeLxd(), host: new FakeHost() })).toThrow('runningAction("show-config")');
});
