// `npm run bench`: runs every benchmark script, one after another so they do not disturb each
// other's timings: bench/*.mjs (except this file), then emulator/bench/*.mjs if present.
// Exits non-zero if any benchmark failed to run; timings themselves are reported, never asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), '..');
const benchDirs = [join(root, 'bench'), join(root, 'emulator', 'bench')];

const scripts = benchDirs
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.mjs')).sort().map((name) => join(dir, name)))
  .filter((path) => path !== here);

const failed = [];
for (const script of scripts) {
  const name = relative(root, script);
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed.push(`${name} (exit ${result.status ?? result.signal})`);
}
console.log(`\n${scripts.length} benchmark script(s) run${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
if (scripts.length === 0) console.log(`no benchmark scripts found in ${benchDirs.map((d) => relative(root, d)).join(', ')} (besides ${basename(here)})`);
process.exit(failed.length > 0 ? 1 : 0);
