// Puts the application's charm into the unit's agent dir, as Juju unpacks it on install and upgrade.

import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export function deployCharm(sourceDir: string, hostCharmDir: string, replace: boolean): void {
  if (existsSync(hostCharmDir) && !replace) return;
  rmSync(hostCharmDir, { recursive: true, force: true });
  mkdirSync(path.dirname(hostCharmDir), { recursive: true });
  // verbatimSymlinks keeps the charm's relative links as they are; modes are copied with the files
  cpSync(sourceDir, hostCharmDir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
}
