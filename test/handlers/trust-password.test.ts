import { hashPassword, resolveTrustPassword } from '../../src/handlers/trust-password';
import { readCharmState } from '../../src/model/charm-state';
import { aUnit } from '../builders/juju-state';
import { FakeJuju } from '../fakes/fake-juju';

const random = (n: number): Buffer => Buffer.alloc(n, 7);
const LABEL = 'lxd-trust-password';

test('a configured password wins and is never stored by the charm', async () => {
  const juju = new FakeJuju(aUnit());
  const trust = await resolveTrustPassword('from-config', readCharmState({}), juju, random);
  expect(await trust.value()).toBe('from-config');
  expect(trust.hash).toBe(hashPassword('from-config'));
  expect(juju.writes).toEqual([]);
});

test('none configured: 32 random characters in a unit-owned secret, and only its id in state', async () => {
  const juju = new FakeJuju(aUnit());
  const trust = await resolveTrustPassword(null, readCharmState({}), juju, random);
  const value = await trust.value();
  expect(value).toHaveLength(32);
  const [secret] = (juju.commit(), juju.state.secrets);
  expect(trust.remember).toEqual({ trustSecretId: secret?.id, trustPassword: '' });
  expect(secret).toMatchObject({ owner: 'unit', label: LABEL, revisions: [{ password: value }] });
});

test('a stored secret is read only when the password must be written', async () => {
  const juju = new FakeJuju(aUnit().withSecret({ id: 'secret:9', owner: 'unit', revisions: [{ password: 'kept' }], grants: [] }));
  const trust = await resolveTrustPassword(null, readCharmState({ 'trust-secret-id': 'secret:9', 'trust-password-hash': hashPassword('kept') }), juju, random);
  expect(trust.hash).toBe(hashPassword('kept'));
  expect(await trust.value()).toBe('kept');
});

test('charm state lost but our labelled secret kept: the same password is used again', async () => {
  const juju = new FakeJuju(aUnit().withSecret({ id: 'secret:4', owner: 'unit', label: LABEL, revisions: [{ password: 'still-the-same' }], grants: [] }));
  const trust = await resolveTrustPassword(null, readCharmState({}), juju, random);
  expect(await trust.value()).toBe('still-the-same');
  expect(trust.remember).toEqual({ trustSecretId: 'secret:4', trustPassword: '' });
  expect(juju.writes).toEqual([]);
});

test('a Juju without secrets: the generated password is kept in unit state instead', async () => {
  const juju = new FakeJuju(aUnit().onJuju('2.9.45'));
  const trust = await resolveTrustPassword(null, readCharmState({}), juju, random);
  expect(trust.remember).toEqual({ trustPassword: await trust.value() });
  expect(await trust.value()).toHaveLength(32);
});
