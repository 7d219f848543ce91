// The packed charm the e2e tests deploy: build/lxd.charm, re-packed (`npm run pack`) when it is missing
// or older than anything it is built from.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.join(__dirname, '..', '..', '..');
export const packedCharm = path.join(repoRoot, 'build', 'lxd.charm');

const INPUTS = ['src', 'templates', 'scripts', 'metadata.yaml', 'charmcraft.yaml', 'config.yaml', 'actions.yaml', 'dispatch', 'package.json'];

function newestMtime(file: string): number {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file).reduce((newest, entry) => Math.max(newest, newestMtime(path.join(file, entry))), stat.mtimeMs);
}

/** Packs the charm unless build/lxd.charm is newer than every input; returns its path. */
export function ensurePackedCharm(): string {
  const built = existsSync(packedCharm) ? statSync(packedCharm).mtimeMs : 0;
  const inputs = Math.max(...INPUTS.map((f) => newestMtime(path.join(repoRoot, f))));
  if (built <= inputs) execFileSync('npm', ['run', 'pack'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!existsSync(packedCharm)) throw new Error(`npm run pack made no ${packedCharm}`);
  return packedCharm;
}
