// Builds the charm's runtime, build/charm/dist/, with esbuild: no node_modules, no resolution work.
//   lxd-charm.js  the hook entry point (src/main.ts): small, it ends a quiet update-status by itself;
//   charm.js      the full charm (src/charm.ts and everything it imports), required by the entry point
//                 for every other hook and action;
//   lazy/*.js     yaml and handlebars, each read only by the hooks that use them (lazy-packages.mjs).
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
const entrySource = join(root, 'src', 'main.ts');
const charmSource = join(root, 'src', 'charm.ts');
const distDir = join(root, 'build', 'charm', 'dist');
export const bundlePath = join(distDir, 'lxd-charm.js');
const charmBundlePath = join(distDir, 'charm.js');
// Packages a hook may never need: each is parsed only when first required (see lazy-packages.mjs).
// To keep that benefit, src/ should reach them through `await import()` on the paths that use them.
const LAZY_PACKAGES = ['yaml', 'ajv', 'handlebars'];

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

/** The entry point's `import('./charm')` stays a run-time require of dist/charm.js beside it. */
const charmStaysApart = {
  name: 'charm-stays-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/charm$/ }, (args) => (args.importer === entrySource ? { path: './charm.js', external: true } : undefined));
  },
};

function describe(path, result, note = '') {
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('lazy-package:'));
  console.log(`bundle: ${relative(root, path)} (${(statSync(path).size / 1024).toFixed(1)} KiB from ${inputs.length} modules${note})`);
}

export async function buildCharm() {
  await runBuildSteps();
  for (const source of [entrySource, charmSource]) {
    if (!existsSync(source)) throw new Error(`cannot bundle: ${relative(root, source)} does not exist`);
  }
  // dynamic-import off: the entry's import('./charm') becomes require(), so Node does not send the full
  // charm through its ES module loader, whose CommonJS export scan of it cost ~20 ms (measured)
  const entry = await build({ ...bundleOptions, supported: { 'dynamic-import': false }, entryPoints: [entrySource], outfile: bundlePath, metafile: true, plugins: [charmStaysApart] });
  describe(bundlePath, entry);
  const charm = await build({
    ...bundleOptions,
    entryPoints: [charmSource],
    outfile: charmBundlePath,
    metafile: true,
    plugins: [lazyPackages({ packages: LAZY_PACKAGES, resolveDir: root, outDir: distDir, options: bundleOptions })],
  });
  const lazy = Object.keys(charm.metafile.inputs).filter((input) => input.startsWith('lazy-package:')).map((input) => input.slice('lazy-package:'.length));
  describe(charmBundlePath, charm, `; in lazy/, read on first use: ${lazy.join(', ') || 'none'}`);
}

// CLI: `node scripts/build.mjs`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildCharm().catch((error) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
