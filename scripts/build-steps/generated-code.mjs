// Build step: writes every generated file (scripts/build-steps/generators.cjs) that differs from a fresh
// generation; an unchanged file is not touched, so its mtime (and the e2e tests' re-pack check) stays.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { root, generators } = createRequire(import.meta.url)('./generators.cjs');

export default function run() {
  for (const { output, generate } of generators) {
    const path = join(root, output);
    const code = generate();
    let current = '';
    try { current = readFileSync(path, 'utf8'); } catch { /* first build */ }
    if (current !== code) {
      writeFileSync(path, code);
      console.log(`generated ${output}`);
    }
  }
}
