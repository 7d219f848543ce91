// Issue 15 item 7 end to end: the PACKED charm on two namespace machines with real LXD daemons, a
// stand-in collector (test/e2e/charms/cos-collector, a subordinate beside it as grafana-agent is) on
// the cos-agent relation writing a prometheus.yml and TLS files from what each unit publishes, and a
// real Prometheus (Debian's prometheus package) per collector on the host, scraping its unit's
// /1.0/metrics with the published certificate, key and CA, TLS verified. The model and every
// Prometheus are stopped in afterAll (by pid), also on failure.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, builtinCharm, Model } from 'juju-emulator';
import { ensurePackedCharm, repoRoot } from './helpers/packed-charm';
import { unitShell } from './helpers/units';

const PROMETHEUS = '/usr/bin/prometheus';
const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/lxc') && existsSync(PROMETHEUS);
jest.setTimeout(900_000);

if (!runnable && process.env.CI === 'true') {
  test('metrics e2e', () => {
    throw new Error('needs root, /usr/bin/lxc and /usr/bin/prometheus (scripts/setup-host.sh), CI=true does not skip');
  });
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

interface PromVector {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

(runnable ? describe : describe.skip)('LXD metrics through cos-agent to a real Prometheus', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mte2e-'));
  let model: Model;
  let charm = '';
  const shell = unitShell(() => model);
  const proms: Array<{ readonly unit: string; readonly port: number; readonly child: ChildProcess }> = [];
  const collectorOf = (lxdUnit: string): string => {
    const principal = model.state.units[lxdUnit]?.principal;
    const found = Object.values(model.state.units).find((u) => u.app === 'cos-collector' && u.principal === principal);
    if (!found) throw new Error(`no collector beside ${lxdUnit}`);
    return found.name;
  };
  const query = async (port: number, promql: string): Promise<PromVector[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; data: { result: PromVector[] } };
    if (body.status !== 'success') throw new Error(`prometheus query ${promql}: ${JSON.stringify(body)}`);
    return body.data.result;
  };
  const eventually = async <T>(what: string, probe: () => Promise<T | null>, timeoutMs = 90_000): Promise<T> => {
    const until = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < until) {
      try {
        const got = await probe();
        if (got !== null) return got;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
  };

  beforeAll(async () => {
    charm = ensurePackedCharm();
    model = await Model.create({ name: `mte2e-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 2, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd', charm, { config: { 'storage-type': 'dir' } });
    model.relate('lxd', 'nova-compute');
    await model.deploy('cos-collector', path.join(repoRoot, 'test', 'e2e', 'charms', 'cos-collector'));
    model.relate('cos-collector', 'nova-compute');
    await shell.settle();
    model.relate('cos-collector:cos-agent', 'lxd:cos-agent');
    await shell.settle();
  }, 900_000);

  afterAll(async () => {
    try {
      for (const p of proms) if (p.child.pid !== undefined && p.child.exitCode === null) process.kill(p.child.pid, 'SIGTERM');
      if (model) await model.destroy();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);

  test('each unit trusts its own metrics certificate with type metrics; the key is root-only and never logged', async () => {
    for (const unit of shell.lxdUnits()) {
      expect(shell.statusOf(unit)).toMatchObject({ status: 'active' });
      const trust = JSON.parse(await shell.ok(unit, 'lxc query /1.0/certificates?recursion=1')) as Array<{ name: string; type: string }>;
      expect(trust.filter((t) => t.type === 'metrics').map((t) => t.name)).toEqual([`juju-metrics-${unit.replace('/', '-')}`]);
      expect((await shell.ok(unit, 'stat -c "%a %U" /var/lib/lxd-charm/metrics /var/lib/lxd-charm/metrics/metrics.key')).trim().split('\n')).toEqual(['700 root', '600 root']);
      const keyBody = (await shell.ok(unit, 'sed -n 2p /var/lib/lxd-charm/metrics/metrics.key')).trim();
      expect(keyBody.length).toBeGreaterThan(20);
      expect(model.debugLog(unit)).not.toContain(keyBody);
      // what the collector made of it: the TLS files 0600, the job as published, the dashboard decoded, the rules
      const collector = collectorOf(unit);
      expect((await shell.ok(collector, 'stat -c "%a %n" /var/lib/juju/cos-collector/tls/*')).trim().split('\n').map((l) => l.split(' ')[0])).toEqual(['600', '600', '600']);
      const config = JSON.parse(await shell.ok(collector, 'cat /var/lib/juju/cos-collector/prometheus.yml')) as { scrape_configs: Array<Record<string, unknown>> };
      const listener = (await shell.ok(unit, 'lxc config get core.https_address')).trim();
      expect(config.scrape_configs).toEqual([
        expect.objectContaining({
          scheme: 'https',
          metrics_path: '/1.0/metrics',
          static_configs: [{ targets: [listener] }],
          tls_config: expect.objectContaining({ insecure_skip_verify: false, ca_file: expect.stringMatching(/-ca\.crt$/), cert_file: expect.stringMatching(/-client\.crt$/), key_file: expect.stringMatching(/-client\.key$/) }),
        }),
      ]);
      expect(JSON.parse(await shell.ok(collector, 'cat /var/lib/juju/cos-collector/dashboards/0.json'))).toMatchObject({ title: expect.stringContaining('LXD') });
      const rules = JSON.parse(await shell.ok(collector, 'cat /var/lib/juju/cos-collector/rules.json')) as { groups: Array<{ rules: Array<{ alert: string }> }> };
      expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(expect.arrayContaining(['LXDDown']));
    }
  });

  test('a real Prometheus per collector scrapes its unit over verified TLS and counts the running instances', async () => {
    const tarball = await buildBusyboxImage(path.join(home, 'image'));
    const units = shell.lxdUnits();
    const running: Record<string, number> = {};
    for (const [n, unit] of units.entries()) {
      await shell.ok(unit, `lxc image import ${tarball} --alias mt-busybox`);
      running[unit] = n + 1; // lxd/0 runs one instance, lxd/1 two: each Prometheus must see its own unit's count
      for (let i = 0; i < running[unit]; i++) await shell.ok(unit, `lxc launch mt-busybox mt-c${i}`);
      await shell.ok(unit, 'lxc init mt-busybox mt-stopped'); // a stopped one: not counted as running
    }
    for (const unit of units) {
      const collector = collectorOf(unit);
      const dir = path.join(home, `prom-${collector.replace('/', '-')}`);
      mkdirSync(dir, { mode: 0o700 });
      // the collector's files, copied out of its machine as they are (the paths in them are relative)
      const archive = await shell.ok(collector, 'tar -C /var/lib/juju/cos-collector -c . | base64 -w0');
      writeFileSync(path.join(dir, 'collector.tar'), Buffer.from(archive.trim(), 'base64'), { mode: 0o600 });
      execFileSync('tar', ['-C', dir, '-xf', path.join(dir, 'collector.tar')]);
      const port = await freePort();
      const child = spawn(PROMETHEUS, [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
      proms.push({ unit, port, child });
    }
    for (const { unit, port } of proms) {
      const up = await eventually(`${unit} scraped`, async () => {
        const r = await query(port, 'up');
        return r.length > 0 && r.every((v) => v.value[1] === '1') ? r : null;
      });
      expect(up).toHaveLength(1);
      const count = await eventually(`${unit} instance count`, async () => {
        const r = await query(port, 'count(count by (name, project) (lxd_procs_total))');
        return r.length === 1 && Number(r[0]?.value[1]) === running[unit] ? r : null;
      }).catch(async (err: unknown) => {
        const names = (await (await fetch(`http://127.0.0.1:${port}/api/v1/label/__name__/values`)).json()) as { data: string[] };
        throw new Error(`${String(err)}\nmetrics: ${names.data.join(' ')}\nlxc list: ${await shell.ok(unit, 'lxc list --format csv -c ns')}`);
      });
      expect(Number(count[0]?.value[1])).toBe(running[unit]);
    }
  });
  const METRICS_CHANGE = /INFO \S+ (?:[\w-]+:\d+: )?(create the metrics|trust juju-metrics|revoke juju-metrics|publish the scrape job|delete the metrics)/;

  test('a second full converge changes nothing for metrics: no certificate, trust or publication logged', async () => {
    const marks = Object.fromEntries(shell.lxdUnits().map((u) => [u, model.debugLog(u).length]));
    model.upgrade('lxd', charm);
    await shell.settle();
    for (const unit of shell.lxdUnits()) {
      const log = model.debugLog(unit).slice(marks[unit]);
      expect(log).toContain('ran "upgrade-charm" hook');
      expect(log).not.toMatch(METRICS_CHANGE);
    }
  });

  test('the collector related no more: each unit revokes its metrics trust and deletes the pair', async () => {
    for (const p of proms) if (p.child.pid !== undefined && p.child.exitCode === null) process.kill(p.child.pid, 'SIGTERM');
    model.unrelate('cos-collector:cos-agent', 'lxd:cos-agent');
    await shell.settle();
    for (const unit of shell.lxdUnits()) {
      const trust = JSON.parse(await shell.ok(unit, 'lxc query /1.0/certificates?recursion=1')) as Array<{ type: string }>;
      expect(trust.filter((t) => t.type === 'metrics')).toEqual([]);
      expect((await shell.ok(unit, 'ls -A /var/lib/lxd-charm/metrics')).trim()).toBe('');
      expect(shell.statusOf(unit).status).toBe('active');
    }
  });
});
