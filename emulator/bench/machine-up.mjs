#!/usr/bin/env node
// Time to bring up a namespace machine with its own LXD daemon, run one process in it, and destroy it.
// Usage (as root): node emulator/bench/machine-up.mjs [rounds=3] [--json]
// Bundles the TypeScript backend with esbuild on the fly, so no build step is needed.

import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 3);
const asJson = process.argv.includes('--json');

const work = await mkdtemp(path.join(os.tmpdir(), 'jemu-bench-'));
const bundle = path.join(work, 'namespace.cjs');
await build({
  entryPoints: [path.join(here, '..', 'src', 'machines', 'namespace.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'warning',
});
const { NamespaceMachines } = createRequire(import.meta.url)(bundle);

const backend = new NamespaceMachines();
const modelName = `bench-${process.pid}`;
const modelDir = path.join(work, 'model');
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = { 'create (netns + mount view + 1 loop + LXD ready)': [], 'run `true` inside': [], 'lxc query /1.0 inside': [], destroy: [] };
try {
  await backend.ensurePrerequisites();
  for (let i = 0; i < rounds; i++) {
    let t = process.hrtime.bigint();
    const m = await backend.create({ modelName, modelDir, id: '0', loopDevices: 1, loopSizeGiB: 1, lxd: true });
    rows['create (netns + mount view + 1 loop + LXD ready)'].push(ms(t));
    try {
      t = process.hrtime.bigint();
      const r = await backend.run(m, { argv: ['true'], env, cwd: '/' });
      rows['run `true` inside'].push(ms(t));
      if (r.exitCode !== 0) throw new Error('true failed');
      t = process.hrtime.bigint();
      const q = await backend.run(m, { argv: ['lxc', 'query', '/1.0'], env, cwd: '/' });
      rows['lxc query /1.0 inside'].push(ms(t));
      if (q.exitCode !== 0) throw new Error(`lxc query failed: ${q.stderr}`);
    } finally {
      t = process.hrtime.bigint();
      await backend.destroy(m);
      rows.destroy.push(ms(t));
    }
  }
} finally {
  await backend.cleanupLeftovers(modelName, modelDir).catch((e) => console.error(e));
  await rm(work, { recursive: true, force: true });
}

if (asJson) {
  console.log(JSON.stringify(Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { medianMs: median(v), samples: v }]))));
} else {
  console.log(`namespace machine with LXD 5.0.2, ${rounds} round(s), median (min–max) in ms`);
  for (const [name, xs] of Object.entries(rows)) {
    console.log(`  ${name.padEnd(50)} ${median(xs).toFixed(0).padStart(6)}  (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`);
  }
}
