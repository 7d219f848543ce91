// The committed generated code is exactly what its generator makes now (scripts/build-steps/generators.cjs):
// after changing a schema, config.yaml's schema or actions.yaml, `npm run build` rewrites it.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Generator {
  readonly output: string;
  readonly generate: () => string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generators are a CommonJS build script
const { root, generators } = require('../scripts/build-steps/generators.cjs') as { root: string; generators: readonly Generator[] };

const generatedFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return generatedFiles(path);
    return entry.name.endsWith('.generated.js') ? [relative(root, path)] : [];
  });

test('every *.generated.js under src/ has its generator', () => {
  expect(generatedFiles(join(root, 'src')).sort()).toEqual(generators.map((g) => g.output).sort());
});

test.each(generators.map((g) => [g.output, g] as const))('%s is what its generator makes now (run npm run build)', (output, generator) => {
  expect(readFileSync(join(root, output), 'utf8')).toBe(generator.generate());
});
