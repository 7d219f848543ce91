// esbuild plugin: bundles each named package on its own and embeds it in the charm bundle as a
// string that is compiled only when the package is first required. A hook that never reaches
// handlebars or ajv's compiler does not pay V8's parse of them. Measured on this project's packages
// (Node 20, 2 cores): a 750 KB bundle whose packages are all behind dynamic import() started in
// 40 ms as plain code and 27 ms with them embedded as strings (`node -e 0`: 24 ms).
// Only the bare package names are redirected; subpath imports (e.g. ajv/dist/runtime/equal, which
// the standalone config validator uses) stay ordinary bundled modules.
import * as esbuild from 'esbuild';

/** @param {{ packages: string[], resolveDir: string, options: import('esbuild').BuildOptions }} settings */
export function lazyPackages({ packages, resolveDir, options }) {
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
        const code = `(function (module, exports, require) {\n${inner.outputFiles[0].text}\n})`;
        const filename = `lxd-charm.js[${args.path}]`; // what stack traces show for code inside
        return {
          loader: 'js',
          resolveDir,
          contents: [
            `// ${args.path}, bundled separately; compiled on first require (scripts/lazy-packages.mjs)`,
            'const lazyModule = { exports: {} };',
            `require("node:vm").runInThisContext(${JSON.stringify(code)}, { filename: ${JSON.stringify(filename)} })(lazyModule, lazyModule.exports, require);`,
            'module.exports = lazyModule.exports;',
          ].join('\n'),
        };
      });
    },
  };
}
