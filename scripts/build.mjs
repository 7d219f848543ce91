// Builds the charm's one runtime file, build/charm/dist/lxd-charm.js: src/main.ts and everything it
// imports (execa, yaml, ajv, handlebars included) bundled by esbuild into one CommonJS file, so a hook
// loads a single file with no node_modules and no resolution work.
// Before bundling it runs every scripts/build-steps/*.mjs (sorted by name): steps generate source
// the bundle includes (e.g. the ajv standalone config validator). A step runs on import, or exports a
// default function that is awaited.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lazyPackages } from './lazy-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stepsDir = join(root, 'scripts', 'build-steps');
const defaultEntry = join(root, 'src', 'main.ts');
export const bundlePath = join(root, 'build', 'charm', 'dist', 'lxd-charm.js');
// Packages a hook may never need: each is parsed only when first required (see lazy-packages.mjs).
// To keep that benefit, src/ should reach them through `await import()` on the paths that use them.
const LAZY_PACKAGES = ['execa', 'yaml', 'ajv', 'handlebars'];

const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node18.19', // Debian 12's nodejs: the oldest runtime dispatch accepts
  format: 'cjs',
  // Whitespace only: names stay readable in the stack traces juju-log shows. Minifying identifiers
  // and syntax too did not change start-up time measurably (76.8 vs 76.4 ms on a loaded machine).
  minifyWhitespace: true,
  legalComments: 'eof',
  sourcemap: false,
  // Templates imported as text end up inside the bundle.
  loader: { '.hbs': 'text' },
  // Prefer each package's CommonJS build where it ships both: no ESM interop shims at start-up.
  mainFields: ['main', 'module'],
  conditions: ['node', 'require'],
  logLevel: 'warning',
};

async function runBuildSteps() {
  if (!existsSync(stepsDir)) return;
  const steps = readdirSync(stepsDir).filter((name) => name.endsWith('.mjs')).sort();
  for (const name of steps) {
    const started = Date.now();
    const step = await import(pathToFileURL(join(stepsDir, name)).href);
    if (typeof step.default === 'function') await step.default();
    console.log(`build step ${name}: ${Date.now() - started} ms`);
  }
}

async function bundle(entry) {
  if (!existsSync(entry)) {
    throw new Error(`cannot bundle: entry ${relative(root, entry) || entry} does not exist (the charm's src/main.ts is needed)`);
  }
  return build({
    ...bundleOptions,
    entryPoints: [entry],
    outfile: bundlePath,
    metafile: true,
    plugins: [lazyPackages({ packages: LAZY_PACKAGES, resolveDir: root, options: bundleOptions })],
  });
}

export async function buildCharm({ entry = defaultEntry } = {}) {
  await runBuildSteps();
  const result = await bundle(entry);
  const size = statSync(bundlePath).size;
  const inputs = Object.keys(result.metafile.inputs);
  const lazy = inputs.filter((input) => input.startsWith('lazy-package:')).map((input) => input.slice('lazy-package:'.length));
  console.log(`bundle: ${relative(root, bundlePath)} (${(size / 1024).toFixed(1)} KiB from ${inputs.length - lazy.length} modules;`
    + ` compiled on first use: ${lazy.join(', ') || 'none'})`);
}

// CLI: `node scripts/build.mjs [entry.ts]` (the optional entry is for trying the build before
// src/main.ts exists).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const entryArg = process.argv[2];
  buildCharm(entryArg ? { entry: resolve(entryArg) } : {}).catch((error) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
