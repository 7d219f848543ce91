// Secret content travels to secret-add/secret-set in files, never on argv: one file per key, mode 0600,
// in a fresh 0700 directory that is removed as soon as the tool has read it, also when it fails.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretContent } from './hook-tools';

/** Writes each value to `<dir>/<key>` and calls `use` with key → path; the directory is gone afterwards. */
export async function withSecretFiles<T>(content: SecretContent, use: (files: Readonly<Record<string, string>>) => Promise<T>, parent: string = tmpdir()): Promise<T> {
  const dir = await mkdtemp(join(parent, 'lxd-charm-secret-'));
  try {
    const files: Record<string, string> = {};
    for (const [key, value] of Object.entries(content)) {
      const path = join(dir, key);
      await writeFile(path, value, { mode: 0o600, flag: 'wx' });
      files[key] = path;
    }
    return await use(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
