// The wording rule the unit project's setup applies to every status the charm sets.
import { repeatedPrefix } from './status-wording';

test.each([
  ['cannot install criu: cannot install criu: E: Unable to locate package criu', 'cannot install criu'],
  ['storage pool lxd exists; cannot create lvm storage pool lxd: cannot create lvm storage pool lxd: boom', 'cannot create lvm storage pool lxd'],
  ['invalid config: x; invalid config: y', 'invalid config'],
])('finds the doubled prefix in %j', (message, phrase) => {
  expect(repeatedPrefix(message)).toBe(phrase);
});

test.each([
  'cannot install criu: E: Unable to locate package criu',
  'Unit is ready (lvm pool lxd, bridge lxdbr0 10.100.0.1/24, listening 10.0.0.5:8443, trust: password+token)',
  '1/3 peers wired; waiting for lxd/1 (dial: timeout), lxd/2 (dial: refused)',
  'invalid config: storage-type must be one of lvm, btrfs, zfs, dir; bridge-mtu must be >= 576',
])('accepts %j', (message) => {
  expect(repeatedPrefix(message)).toBeNull();
});
