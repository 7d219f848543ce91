// HostsFile over a real file: /etc/hosts on a unit, a temp file in tests.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HostsFile } from '../model/peer-hosts';

/** /etc/hosts (or a test's file): written as a temp file with the same mode, then renamed over it. */
export class FsHostsFile implements HostsFile {
  constructor(private readonly path = '/etc/hosts') {}

  async read(): Promise<string> {
    return readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
  }

  async write(text: string): Promise<void> {
    const mode = (await stat(this.path).catch(() => null))?.mode ?? 0o644;
    const temp = join(dirname(this.path), `.hosts.lxd-charm.${randomBytes(4).toString('hex')}`);
    await writeFile(temp, text, { mode: mode & 0o777, flag: 'wx' });
    await rename(temp, this.path).catch(async (err: unknown) => {
      await rm(temp, { force: true });
      throw err;
    });
  }
}
