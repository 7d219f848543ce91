// The memo in the charm directory: absent reads null; a write replaces it whole, readable by root only.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharmDirMemo } from '../../src/juju/unit-memo';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('no memo yet: null; then what was written last, mode 0600, no temporary file left', async () => {
  const memo = new CharmDirMemo(join(dir, '.lxd-charm-memo.json'));
  expect(await memo.read()).toBeNull();
  await memo.write('{"a":1}');
  await memo.write('{"b":2}');
  expect(await memo.read()).toBe('{"b":2}');
  expect(statSync(join(dir, '.lxd-charm-memo.json')).mode & 0o777).toBe(0o600);
  expect(readdirSync(dir)).toEqual(['.lxd-charm-memo.json']);
});

test('the charm version is the packed version file beside the memo, "" without one', () => {
  writeFileSync(join(dir, 'version'), '0.1.0+abc1234\n');
  expect(new CharmDirMemo(join(dir, '.lxd-charm-memo.json')).charmVersion).toBe('0.1.0+abc1234');
  expect(new CharmDirMemo(join(dir, 'elsewhere', '.lxd-charm-memo.json')).charmVersion).toBe('');
});
