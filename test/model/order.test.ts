import { byText, byUnit } from '../../src/model/order';

test('units sort by application, then by number', () => {
  expect(['lxd/10', 'lxd/9', 'ceph/2', 'lxd/0', 'lxd-b/1'].sort(byUnit)).toEqual(['ceph/2', 'lxd/0', 'lxd/9', 'lxd/10', 'lxd-b/1']);
});

test('text sorts by code unit, whatever the locale', () => {
  expect(['b', 'B', 'a', 'Ä', 'A'].sort(byText)).toEqual(['A', 'B', 'a', 'b', 'Ä']);
  expect(byText('x', 'x')).toBe(0);
});
