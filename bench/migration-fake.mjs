#!/usr/bin/env node
// What one lxd-migration hook costs on a unit with 50 and 200 peers, against a fake LXD and fake hook
// tools (no processes, no daemons): hook-tool calls (each a process spawn on a real unit), relation-get
// calls, LXD API calls and wall time of the migration part of the hook. A single changed peer's
// -changed must be flat in N; the first full wiring is linear in N per unit, so a mesh grows with pairs.
// Bundles bench/migration-fake/entry.ts (which imports src/ and test/fakes) with esbuild into a temp dir.
//
//   node bench/migration-fake.mjs [50 200] [--repeat 5] [--json]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a) && args[args.indexOf(a) - 1] !== '--repeat').map(Number);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 5;
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a positive integer');
const asJson = args.includes('--json');

const work = mkdtempSync(join(tmpdir(), 'migration-fake-bench-'));
const rows = [];
const started = process.hrtime.bigint();
try {
  const outfile = join(work, 'entry.cjs');
  await build({
    entryPoints: [join(root, 'bench', 'migration-fake', 'entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18.19',
    outfile,
    logLevel: 'warning',
    // the test builders find config.yaml and metadata.yaml from their own directory
    define: { __dirname: JSON.stringify(join(root, 'test', 'builders')) },
  });
  const { benchPeers } = createRequire(import.meta.url)(outfile);
  for (const peers of sizes.length > 0 ? sizes : [50, 200]) rows.push(...(await benchPeers(peers, repeat)));
} finally {
  rmSync(work, { recursive: true, force: true });
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  const cols = [['N', 5, 'peers'], ['hook (this unit, lxd/0)', 50, 'hook'], ['hook-tool calls', 15, 'toolCalls'], ['relation-get', 12, 'relationGets'], ['LXD API calls', 13, 'lxdCalls'], ['lxc file writes', 15, 'fileWrites'], ['ms', 8, 'ms']];
  const line = (cells) => cells.map((c, i) => (i === 1 ? String(c).padEnd(cols[i][1]) : String(c).padStart(cols[i][1]))).join('  ');
  console.log(line(cols.map((c) => c[0])));
  for (const r of rows) console.log(line(cols.map(([, , key]) => (key === 'ms' ? r.ms.toFixed(1) : r[key]))));
  const first = rows.filter((r) => r.hook.startsWith('first'));
  console.log('\nfirst full wiring, whole mesh (every unit wires its N peers; units are symmetric, so units × one unit\'s calls):');
  for (const r of first) {
    const units = r.peers + 1;
    console.log(`  ${units} units: ${r.lxdCalls} LXD calls per unit, ${units * r.lxdCalls} in all (${((units * r.lxdCalls) / (units * r.peers)).toFixed(2)} per ordered pair of units)`);
  }
  console.log(`\nms: median of ${repeat} runs (one run for the first wiring), the migration part of a hook only, except the \"whole hook\" rows: the relation hook through the event table (converge and wiring) on a converged unit. Total ${seconds.toFixed(1)} s.`);
}

// a benchmark reports; it fails only if a single changed peer's hook is not flat in N
const flat = (label) => new Set(rows.filter((r) => r.hook === label).map((r) => `${r.toolCalls}/${r.relationGets}/${r.lxdCalls}`)).size <= 1;
if (!flat("-changed, one peer's address changed") || !flat('-changed, nothing changed')) {
  console.error('migration-fake: a single changed peer\'s hook costs more with more peers');
  process.exit(1);
}
