// Benchmark: wall time of settling N test-charm units from deploy to a full peer mesh on local
// machines (real hook processes and tools, no LXD), at several bounds on operations running at once:
// 1 (one hook at a time in the whole model), the cores this process may use (the default,
// os.availableParallelism()), and unbounded (every machine at once, which is what the emulator did
// before the bound). Reported, never asserted. Usage: node emulator/bench/settle.mjs [N=8] [--json]
// Uses the emulator's compiled JS (emulator/dist): `npm run build -w juju-emulator` first.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.log('settle: skipped (no emulator/dist: run `npm run build -w juju-emulator`)');
  process.exit(0);
}
const { Model, builtinCharm } = createRequire(import.meta.url)(dist);
const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 8);
const asJson = process.argv.includes('--json');
const cores = os.availableParallelism();
const bounds = [...new Set([1, cores, 1000])];
const home = mkdtempSync(path.join(os.tmpdir(), 'emu-settle-bench-'));

const rows = [];
try {
  for (const parallelism of bounds) {
    const model = await Model.create({ name: `settle-${parallelism}`, backend: 'local', home, parallelism });
    try {
      const t = process.hrtime.bigint();
      await model.deploy('tc', builtinCharm('test-charm'), { units: n, machineOptions: { lxd: false, loopDevices: 0 } });
      const report = await model.settle();
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      if (report.failed.length > 0) throw new Error(`${report.failed.length} hook(s) failed`);
      rows.push({ units: n, parallelism: parallelism === 1000 ? 'unbounded' : parallelism, hooks: report.ran.length, seconds: +seconds.toFixed(2) });
    } finally {
      await model.destroy();
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`settle of ${n} test-charm units to a full peer mesh (local machines, ${cores} cores)`);
  console.log('parallel    hooks  wall (s)');
  for (const r of rows) console.log(`${String(r.parallelism).padEnd(10)}  ${String(r.hooks).padStart(5)}  ${String(r.seconds).padStart(8)}`);
}
