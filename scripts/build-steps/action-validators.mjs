// Build step: writes src/handlers/actions/params.generated.js (see scripts/action-validators-code.cjs),
// so an action never runs ajv's compiler. test/handlers/actions/params.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { generate, outputPath } = createRequire(import.meta.url)('../action-validators-code.cjs');

export default function run() {
  const code = generate();
  let current = '';
  try { current = readFileSync(outputPath, 'utf8'); } catch { /* first build */ }
  if (current !== code) writeFileSync(outputPath, code);
}
