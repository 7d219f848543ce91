import { isDowngrade, normalChannel } from '../../src/model/software';

test('channels are compared as snap tracks them', () => {
  expect(normalChannel('5.21')).toBe('5.21/stable');
  expect(normalChannel('edge')).toBe('latest/edge');
  expect(normalChannel(' 5.0/candidate ')).toBe('5.0/candidate');
});

test('a downgrade is an older numbered track, or any numbered track after latest', () => {
  expect(isDowngrade('5.21/stable', '5.0/stable')).toBe(true);
  expect(isDowngrade('5.21/stable', '5.9/stable')).toBe(true);
  expect(isDowngrade('5.0/stable', '5.21/stable')).toBe(false);
  expect(isDowngrade('5.21/stable', '5.21/edge')).toBe(false);
  expect(isDowngrade('5.21/stable', 'latest/stable')).toBe(false);
  expect(isDowngrade('latest/stable', '6/stable')).toBe(true);
  expect(isDowngrade('something/stable', '5.0/stable')).toBe(false);
});
