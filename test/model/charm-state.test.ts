import { readCharmState, stateChanges, writeCharmState } from '../../src/model/charm-state';

test('state round-trips through the flat string bag Juju keeps', () => {
  const state = { ...readCharmState({}), wiped: ['/dev/vdb'], poolDevices: [{ spec: '/srv/a.img|1G', device: '/dev/loop0' }], nonce: 'n1' };
  expect(readCharmState(writeCharmState(state))).toEqual(state);
});

test('only changed keys are written; emptied lists delete their key', () => {
  const before = { 'wiped-devices': '["/dev/vdb"]', nonce: 'n1', 'last-status': 'active|x' };
  const state = readCharmState(before);
  expect(stateChanges(before, state)).toEqual({});
  expect(stateChanges(before, { ...state, nonce: 'n2', wiped: [] })).toEqual({ nonce: 'n2', 'wiped-devices': '' });
});

test('garbage in a key reads as empty, never as a crash (an older charm or a hand edit)', () => {
  expect(readCharmState({ 'wiped-devices': '{not json', 'pool-devices': '[{"spec":1}]' })).toMatchObject({ wiped: [], poolDevices: [] });
});

test('the wipe record keeps its key name, so it survives upgrade-charm', () => {
  expect(writeCharmState({ ...readCharmState({}), wiped: ['/dev/vdb'] })['wiped-devices']).toBe('["/dev/vdb"]');
});
