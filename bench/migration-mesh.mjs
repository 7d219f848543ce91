#!/usr/bin/env node
// How long the lxd-migration mesh takes to complete on N real units (namespace machines, each with its
// own LXD), and how many hooks that took: deploy + relate + settle, then check every unit's nova has a
// remote for each other unit. Against the budgets of issue 13, per lxd unit from deploy to full mesh:
//   hooks ≤ 3·(N−1) + 12;  writes of its lxd-migration peer bag ≤ 2;  nonces sent on the lxd relation: 1.
// A bag write is a hook's relation-set that changed the bag when the hook committed (what fires
// -changed on the other units), counted in this process at the emulator's commit (RelationView).
// Usage (as root, after `npm run pack`):
//   node bench/migration-mesh.mjs [3 6 12 (default) | 20 …] [--parallelism N[,M…]] [--json]
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
const require = createRequire(import.meta.url);
const { Model, builtinCharm } = require(dist);

// every committed bag change a hook made: relation key → owner → count, and the nonces lxd units sent
const bagWrites = new Map();
const noncesSent = new Map();
const { RelationView } = require(path.join(root, 'emulator', 'dist', 'tools', 'relation-view.js'));
const commitBags = RelationView.prototype.commit;
RelationView.prototype.commit = function countedCommit(...args) {
  const changed = commitBags.apply(this, args);
  for (const bag of changed) {
    const relation = this.state.relations[String(bag.relationId)];
    if (!relation || bag.isApp) continue;
    const byOwner = bagWrites.get(relation.key) ?? new Map();
    byOwner.set(bag.owner, (byOwner.get(bag.owner) ?? 0) + 1);
    bagWrites.set(relation.key, byOwner);
    const nonce = relation.unitBags[bag.owner]?.nonce;
    if (relation.endpoints.length === 2 && nonce) noncesSent.set(bag.owner, new Set([...(noncesSent.get(bag.owner) ?? []), nonce]));
  }
  return changed;
};
const hookBudget = (n) => 3 * (n - 1) + 12;
const BAG_WRITE_BUDGET = 2;
const novaCompute = builtinCharm('nova-compute');
const work = await mkdtemp(path.join(os.tmpdir(), 'mesh-bench-'));
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

const rows = [];
try {
  for (const n of sizes.length > 0 ? sizes : [3, 6, 12]) for (const parallelism of parallelisms) {
    const model = await Model.create({ name: `mesh-${n}-${process.pid}`, backend: 'namespace', home: work, parallelism });
    bagWrites.clear();
    noncesSent.clear();
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
      const hooksOf = units.map((u) => report.ran.filter((o) => o.unit === u).length);
      const peerKey = Object.values(model.state.relations).find((r) => r.endpoints.length === 1 && r.endpoints[0].endpoint === 'lxd-migration')?.key;
      const peerWrites = units.map((u) => bagWrites.get(peerKey)?.get(u) ?? 0);
      const nonces = units.map((u) => noncesSent.get(u)?.size ?? 0);
      rows.push({
        units: n, parallelism, deploySeconds: +machinesUp.toFixed(1), meshSeconds: +meshSeconds.toFixed(1), hooks: report.ran.length, lxdHooks,
        lxdHooksPerUnit: +(lxdHooks / n).toFixed(1), maxHooksPerUnit: Math.max(...hooksOf), hookBudget: hookBudget(n),
        peerBagWritesPerUnit: { min: Math.min(...peerWrites), max: Math.max(...peerWrites) }, noncesPerUnit: { min: Math.min(...nonces), max: Math.max(...nonces) },
        missingRemotes: missing,
      });
    } finally {
      await model.destroy();
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('units  parallel  deploy (s)  relate+settle to full mesh (s)  hooks (all / lxd / lxd per unit)  peer bag writes per unit  nonces per unit  missing nova remotes');
  for (const r of rows) {
    const range = (x) => (x.min === x.max ? String(x.max) : `${x.min}-${x.max}`);
    console.log(`${String(r.units).padStart(5)}  ${String(r.parallelism).padStart(8)}  ${String(r.deploySeconds).padStart(10)}  ${String(r.meshSeconds).padStart(30)}  ${`${r.hooks} / ${r.lxdHooks} / ${r.lxdHooksPerUnit}`.padStart(32)}  ${range(r.peerBagWritesPerUnit).padStart(24)}  ${range(r.noncesPerUnit).padStart(15)}  ${String(r.missingRemotes).padStart(20)}`);
  }
  console.log('\nfigure vs budget (per lxd unit, deploy to full mesh):');
  for (const r of rows) {
    const verdict = (ok) => (ok ? 'within budget' : 'OVER BUDGET');
    console.log(`  N=${String(r.units).padEnd(3)} hooks (most on one unit) ${String(r.maxHooksPerUnit).padStart(4)} vs ≤ ${r.hookBudget}  ${verdict(r.maxHooksPerUnit <= r.hookBudget)};  peer bag writes ${String(r.peerBagWritesPerUnit.max).padStart(3)} vs ≤ ${BAG_WRITE_BUDGET}  ${verdict(r.peerBagWritesPerUnit.max <= BAG_WRITE_BUDGET)};  nonces ${r.noncesPerUnit.max} vs 1  ${verdict(r.noncesPerUnit.max === 1 && r.noncesPerUnit.min === 1)};  wall ${r.meshSeconds} s`);
  }
}
process.exit(rows.some((r) => r.missingRemotes !== 0) ? 1 : 0);
