// A test file's own emulated model home: a temporary directory made now, and an afterAll that destroys
// the file's model (its daemons, namespaces, loop devices and volume groups) and then removes the
// directory, also when the tests or the destroy failed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Model } from 'juju-emulator';

/** `model` is asked at teardown: the file creates it in beforeAll, and may not have got that far. */
export function modelHome(prefix: string, model: () => Model | undefined): string {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(async () => {
    try {
      await model()?.destroy();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
  return home;
}
