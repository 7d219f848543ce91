// Compiles the hook-tool client (native/jujuc.c) into build/jujuc with the system C compiler.
// Run directly (`node scripts/build-native.mjs`) or imported: ensureBuilt() rebuilds only when the
// binary is missing or older than its source.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const source = path.join(root, 'native', 'jujuc.c');
export const binary = path.join(root, 'build', 'jujuc');

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

export function ensureBuilt() {
  const built = mtime(binary);
  if (built !== null && built >= (mtime(source) ?? 0)) return binary;
  mkdirSync(path.dirname(binary), { recursive: true });
  // build next to the target and rename, so concurrent builders never expose a half-written binary
  const tmp = `${binary}.${process.pid}.tmp`;
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', tmp, source], { stdio: 'inherit' });
  renameSync(tmp, binary);
  return binary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureBuilt());
}
