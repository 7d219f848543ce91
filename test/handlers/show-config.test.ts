import { readFile } from 'node:fs/promises';
import { servicesFor } from '../builders/run-hook';
import { join } from 'node:path';
import { makeConverge } from '../../src/handlers/converge';
import type { Services } from '../../src/handlers/services';
import { makeShowConfig } from '../../src/handlers/show-config';
import { FakeHost } from '../fakes/fake-host';
import { FakeLxd } from '../fakes/fake-lxd';
import { RecordingJuju } from './recording-juju';
import { actionEvent } from '../builders/juju-events';
import { aUnit } from '../builders/juju-state';

const showConfig = makeShowConfig(() => readFile(join(__dirname, '../../templates/preseed.yaml.hbs'), 'utf8'));

const services = (juju: RecordingJuju, lxd: FakeLxd, host: FakeHost): Services => servicesFor(actionEvent('show-config', aUnit().build()), { juju, lxd, host });

test('show-config prints the desired document and the differences, and changes nothing', async () => {
  const juju = new RecordingJuju();
  const lxd = new FakeLxd();
  const host = new FakeHost();
  juju.config = { 'bridge-ipv4': '10.9.0.1/24' };
  await showConfig(services(juju, lxd, host));
  expect(juju.actionResults.desired).toContain('ipv4.address: "10.9.0.1/24"');
  expect(juju.actionResults.desired).toContain('core.trust_password: "<secret>"');
  expect(String(juju.actionResults.differences).split('\n')).toEqual(expect.arrayContaining(['create lvm storage pool lxd', 'create bridge lxdbr0', 'set core.trust_password']));
  expect(lxd.writes).toEqual([]);
  expect(host.actions).toEqual([]);
  expect(juju.writes).toEqual([]);

  await makeConverge()(services(juju, lxd, host));
  juju.commit();
  await showConfig(services(juju, lxd, host));
  expect(juju.actionResults.differences).toBe('none: the host is as desired');
  expect(juju.actionResults['trust-methods']).toBe('password, token');
});

test('show-config fails the action on invalid config, naming the options', async () => {
  const juju = new RecordingJuju();
  juju.config = { 'https-port': 0 };
  await showConfig(services(juju, new FakeLxd(), new FakeHost()));
  expect(juju.actionFailure).toBe('invalid config: https-port must be >= 1');
});
