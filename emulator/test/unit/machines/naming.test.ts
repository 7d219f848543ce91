import {
  bridgeName,
  hostVethName,
  machineHostname,
  netnsName,
  netnsPrefix,
  validateMachineId,
  validateModelName,
} from '../../../src/machines/naming';

test('the bridge name fits the kernel limit and is stable per model', () => {
  expect(bridgeName('openstack')).toMatch(/^jemu-[0-9a-f]{10}$/);
  expect(bridgeName('openstack')).toHaveLength(15);
  expect(bridgeName('openstack')).toBe(bridgeName('openstack'));
  expect(bridgeName('openstack')).not.toBe(bridgeName('openstack-2'));
});

test('the host veth of the highest machine id still fits 15 characters', () => {
  expect(hostVethName('a-very-long-model-name-indeed', '239').length).toBeLessThanOrEqual(15);
  expect(hostVethName('m', '0')).not.toBe(hostVethName('n', '0'));
});

test("one model's namespace prefix never matches another model's namespaces", () => {
  expect(netnsName('demo-2', '0').startsWith(netnsPrefix('demo'))).toBe(false);
  expect(netnsName('demo', '12').startsWith(netnsPrefix('demo'))).toBe(true);
  expect(netnsName('demo', '12')).toContain('demo');
});

test('hostnames follow Juju: juju-<6 chars of the model>-<machine id>', () => {
  expect(machineHostname('demo', '3')).toMatch(/^juju-[0-9a-f]{6}-3$/);
});

test.each(['', 'Upper', 'has space', '-leading', 'a/b', 'x'.repeat(64)])('model name %p is refused', (name) => {
  expect(() => validateModelName(name)).toThrow(/invalid model name/);
});

test.each(['-1', 'a', '240', '1.5', ''])('machine id %p is refused', (id) => {
  expect(() => validateMachineId(id)).toThrow(/invalid machine id/);
});

test('valid names pass', () => {
  expect(() => validateModelName('openstack-2')).not.toThrow();
  expect(() => validateMachineId('239')).not.toThrow();
});
