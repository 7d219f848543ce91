// The committed action validators match actions.yaml, and they check what Juju would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkParams } from '../../../src/handlers/actions/action';
import { actions } from '../../../src/events';

const root = join(__dirname, '..', '..', '..');


test('every action in actions.yaml has a handler and a validator, and no handler is undeclared', () => {
  const declared = Object.keys(parse(readFileSync(join(root, 'actions.yaml'), 'utf8')) as Record<string, unknown>).sort();
  expect(Object.keys(actions).sort()).toEqual(declared);
  for (const name of declared) expect(checkParams(name, {}).some((p) => p.includes('no declared parameters'))).toBe(false);
});

test('checkParams lists every problem at once', () => {
  expect(checkParams('remove-trusted-client', { force: 'no', extra: 1 })).toEqual(['missing parameter "fingerprint"', 'unknown parameter "extra"', 'force must be boolean']);
  expect(checkParams('no-such-action', {})).toEqual(['action no-such-action has no declared parameters (is actions.yaml in the charm?)']);
});
