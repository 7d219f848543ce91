// The quick path's loop check reads sysfs only: a device holding the file, one holding a deleted file,
// a detached device and something that is no loop device.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopStillAttached } from '../../src/host/loop-backing';

const sys = mkdtempSync(path.join(os.tmpdir(), 'loop-backing-'));
afterAll(() => rmSync(sys, { recursive: true, force: true }));

test('attached only while sysfs names the very file as the loop device backing', async () => {
  mkdirSync(path.join(sys, 'block/loop3/loop'), { recursive: true });
  writeFileSync(path.join(sys, 'block/loop3/loop/backing_file'), '/srv/a.img\n');
  mkdirSync(path.join(sys, 'block/loop4/loop'), { recursive: true });
  writeFileSync(path.join(sys, 'block/loop4/loop/backing_file'), '/srv/b.img (deleted)\n');
  expect(await loopStillAttached('/srv/a.img', '/dev/loop3', sys)).toBe(true);
  expect(await loopStillAttached('/srv/b.img', '/dev/loop4', sys)).toBe(false);
  expect(await loopStillAttached('/srv/a.img', '/dev/loop5', sys)).toBe(false);
  expect(await loopStillAttached('/srv/a.img', '/dev/vdb', sys)).toBe(false);
});
