// The compiled hook-tool client (native/jujuc.c → build/jujuc), rebuilt when missing or stale.

import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

// src/tools and dist/tools both sit two levels below the package root
const packageRoot = path.resolve(__dirname, '..', '..');
export const JUJUC_SOURCE = path.join(packageRoot, 'native', 'jujuc.c');
export const JUJUC_BINARY = path.join(packageRoot, 'build', 'jujuc');

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Returns the path of the jujuc binary, compiling it with `cc -O2` first if it is missing or older than its source. */
export function ensureJujucBuilt(): string {
  const built = mtimeOf(JUJUC_BINARY);
  if (built !== null && built >= (mtimeOf(JUJUC_SOURCE) ?? 0)) return JUJUC_BINARY;
  mkdirSync(path.dirname(JUJUC_BINARY), { recursive: true });
  // compile beside the target, then rename: a concurrent caller never runs a half-written binary
  const tmp = `${JUJUC_BINARY}.${process.pid}.tmp`;
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', tmp, JUJUC_SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(tmp, JUJUC_BINARY);
  return JUJUC_BINARY;
}
