// esbuild plugin: bundles each named package on its own into dist/lazy/<name>.js, beside the charm
// bundle, and replaces the package in the bundle with a require of that file on first use. A hook that
// never reaches handlebars or yaml does not pay to read or parse them. Measured (Node 20, 2 cores,
// ratio to `node -e 0` of the bundle's start-up): packages as plain bundled code 1.6, embedded as
// strings compiled on first use 1.6 → 1.5, in their own files 1.3 (V8 still scans a 700 KB string).
// Only the bare package names are redirected; subpath imports (e.g. ajv/dist/runtime/equal, which
// the standalone config validator uses) stay ordinary bundled modules.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {{ packages: string[], resolveDir: string, outDir: string, options: import('esbuild').BuildOptions }} settings */
export function lazyPackages({ packages, resolveDir, outDir, options }) {
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const filter = new RegExp(`^(${escaped.join('|')})$`);
  return {
    name: 'lazy-packages',
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-package' }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, async (args) => {
        const inner = await esbuild.build({
          ...options,
          stdin: { contents: `module.exports = require(${JSON.stringify(args.path)});`, resolveDir, loader: 'js' },
          entryPoints: undefined,
          outfile: undefined,
          plugins: [],
          metafile: false,
          write: false,
        });
        const file = `${args.path.replace(/[^a-z0-9.-]/gi, '_')}.js`;
        mkdirSync(join(outDir, 'lazy'), { recursive: true });
        writeFileSync(join(outDir, 'lazy', file), inner.outputFiles[0].text);
        return {
          loader: 'js',
          resolveDir,
          // a computed path: esbuild leaves this require to run time, from the bundle's own directory
          contents: `// ${args.path}: dist/lazy/${file}, read on first require (scripts/lazy-packages.mjs)\nmodule.exports = require(require("node:path").join(__dirname, "lazy", ${JSON.stringify(file)}));`,
        };
      });
    },
  };
}
