// The quick path's loop check: whether a loop device still holds a file, from sysfs alone (no spawn,
// no losetup). The kernel keeps a loop device's backing path there, with " (deleted)" once the file
// is gone; a detached device has no loop/backing_file at all.
import { readFile } from 'node:fs/promises';

export async function loopStillAttached(file: string, device: string, sys = '/sys'): Promise<boolean> {
  const name = /^\/dev\/(loop\d+)$/.exec(device)?.[1];
  if (!name) return false;
  const backing = await readFile(`${sys}/block/${name}/loop/backing_file`, 'utf8').catch(() => null);
  return backing?.trim() === file;
}
