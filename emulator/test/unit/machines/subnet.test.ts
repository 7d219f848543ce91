import { chooseSubnet, gatewayAddress, machineAddress, overlaps, parseCidr } from '../../../src/machines/subnet';

test('parses CIDRs and host addresses, refusing garbage', () => {
  expect(parseCidr('10.1.2.3/24')).toEqual({ base: parseCidr('10.1.2.0')?.base, prefix: 24 });
  expect(parseCidr('192.168.0.1')?.prefix).toBe(32);
  expect(parseCidr('300.1.1.1/24')).toBeNull();
  expect(parseCidr('fe80::1/64')).toBeNull();
});

test('overlap is symmetric and respects prefix sizes', () => {
  const wide = parseCidr('10.0.0.0/8')!;
  const narrow = parseCidr('10.150.3.0/24')!;
  expect(overlaps(wide, narrow)).toBe(true);
  expect(overlaps(narrow, wide)).toBe(true);
  expect(overlaps(narrow, parseCidr('10.150.4.0/24')!)).toBe(false);
});

test('the chosen /24 is in 10.100-10.199 and is stable for a model', () => {
  const cidr = chooseSubnet('openstack', []);
  expect(cidr).toMatch(/^10\.1\d\d\.\d{1,3}\.0\/24$/);
  expect(chooseSubnet('openstack', [])).toBe(cidr);
});

test('a subnet already routed on the host is skipped', () => {
  const first = chooseSubnet('openstack', []);
  const second = chooseSubnet('openstack', [first, '192.0.2.0/24']);
  expect(second).not.toBe(first);
  expect(overlaps(parseCidr(second)!, parseCidr(first)!)).toBe(false);
  // an address inside the first candidate blocks it too
  const hostAddr = `${first.split('.').slice(0, 3).join('.')}.77/32`;
  expect(chooseSubnet('openstack', [hostAddr])).not.toBe(first);
});

test('when every candidate is taken it says so', () => {
  expect(() => chooseSubnet('openstack', ['10.0.0.0/8'])).toThrow(/no free \/24/);
});

test('the host is .1 and machine N is .(10+N)', () => {
  expect(gatewayAddress('10.123.45.0/24')).toBe('10.123.45.1');
  expect(machineAddress('10.123.45.0/24', '0')).toBe('10.123.45.10');
  expect(machineAddress('10.123.45.0/24', '239')).toBe('10.123.45.249');
});
