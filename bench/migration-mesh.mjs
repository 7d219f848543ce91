#!/usr/bin/env node
// How long the lxd-migration mesh takes to complete on N real units (namespace machines, each with its
// own LXD), and how many hooks that took: deploy + relate + settle, then check every unit's nova has a
// remote for each other unit. Usage (as root, after `npm run pack`):
//   node bench/migration-mesh.mjs [3 6 12] [--parallelism N[,M…]] [--json]
// The emulator runs hooks of different machines at once, at most `parallelism` at a time (default the
// cores this process may use, os.availableParallelism()); several values compare them side by side.
// Uses the emulator's compiled JS (emulator/dist).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const charm = path.join(root, 'build', 'lxd.charm');
const sizes = process.argv.filter((a, i) => /^\d+$/.test(a) && process.argv[i - 1] !== '--parallelism').map(Number);
const asJson = process.argv.includes('--json');
const parallelismArg = process.argv[process.argv.indexOf('--parallelism') + 1];
const parallelisms = process.argv.includes('--parallelism') ? String(parallelismArg).split(',').map(Number) : [os.availableParallelism()];
if (parallelisms.some((p) => !Number.isInteger(p) || p < 1)) {
  console.error(`migration-mesh: --parallelism takes positive integers, got ${parallelismArg}`);
  process.exit(2);
}
if (process.getuid?.() !== 0 || !existsSync(charm) || !existsSync('/usr/bin/lxc')) {
  console.log('migration-mesh: skipped (needs root, lxc and build/lxd.charm: run `npm run pack`)');
  process.exit(0);
}

// the emulator's compiled JS: it finds its native hook-tool client and built-in charms beside itself
const dist = path.join(root, 'emulator', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.log('migration-mesh: skipped (no emulator/dist: run `npm run build -w juju-emulator`)');
  process.exit(0);
}
const { Model, builtinCharm } = createRequire(import.meta.url)(dist);
const novaCompute = builtinCharm('nova-compute');
const work = await mkdtemp(path.join(os.tmpdir(), 'mesh-bench-'));
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

const rows = [];
try {
  for (const n of sizes.length > 0 ? sizes : [3, 6, 12]) for (const parallelism of parallelisms) {
    const model = await Model.create({ name: `mesh-${n}-${process.pid}`, backend: 'namespace', home: work, parallelism });
    try {
      let t = process.hrtime.bigint();
      await model.deploy('nova-compute', novaCompute, { units: n, machineOptions: { lxd: true, loopDevices: 0 } });
      const machinesUp = seconds(t);
      t = process.hrtime.bigint();
      await model.deploy('lxd', charm, { config: { 'storage-type': 'dir' } });
      model.relate('lxd', 'nova-compute');
      const report = await model.settle({ maxHooks: 50 * n });
      const meshSeconds = seconds(t);
      if (report.failed.length > 0) throw new Error(`${report.failed.length} hook(s) failed, first: ${report.failed[0].unit} ${report.failed[0].label}`);
      const units = Object.keys(model.state.units).filter((u) => u.startsWith('lxd/'));
      let missing = 0;
      for (const unit of units) {
        const r = await model.exec(unit, ['runuser', '-u', 'nova', '--', 'lxc', 'remote', 'list', '--format', 'json'], { env });
        const remotes = Object.values(JSON.parse(r.stdout || '{}')).filter((x) => String(x.Addr).endsWith(':8443'));
        missing += n - 1 - remotes.length;
      }
      const lxdHooks = report.ran.filter((o) => String(o.unit).startsWith('lxd/')).length;
      rows.push({ units: n, parallelism, deploySeconds: +machinesUp.toFixed(1), meshSeconds: +meshSeconds.toFixed(1), hooks: report.ran.length, lxdHooks, lxdHooksPerUnit: +(lxdHooks / n).toFixed(1), missingRemotes: missing });
    } finally {
      await model.destroy();
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('units  parallel  deploy (s)        deploy+relate+settle to full mesh (s)  hooks (all / lxd / lxd per unit)  missing nova remotes');
  for (const r of rows) console.log(`${String(r.units).padStart(5)}  ${String(r.parallelism).padStart(8)}  ${String(r.deploySeconds).padStart(10)}  ${String(r.meshSeconds).padStart(37)}  ${`${r.hooks} / ${r.lxdHooks} / ${r.lxdHooksPerUnit}`.padStart(32)}  ${String(r.missingRemotes).padStart(20)}`);
}
process.exit(rows.some((r) => r.missingRemotes !== 0) ? 1 : 0);
