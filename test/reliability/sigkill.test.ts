// SIGKILL mid-hook on the packed charm, real LXD: each case moves the HTTPS listener (https-port
// 8443 ↔ 8444, so LXD is PATCHed, the peer record re-set and every peer rewrites its pinned remotes in
// lxc's client config), kills one hook process at a chosen hook-tool call, then lets Juju's retry run.
// After it the mesh converges with nothing duplicated or half-written (see meshProblems).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Model, type HookKillSpec } from 'juju-emulator';
import { deployMesh, unitShell } from '../e2e/helpers/units';
import { meshProblems, packedCharmPath, whyNotRunnable } from './helpers/mesh';

const CONFIG = 'config-changed';
const PEER = 'lxd-migration-relation-changed';
export const KILL_CASES: readonly HookKillSpec[] = [
  { unit: 'lxd/0', hook: CONFIG, tool: 'config-get', when: 'before' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'config-get', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'state-get', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'network-get', when: 'before' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'network-get', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'relation-get', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'status-set', when: 'before' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'status-set', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'juju-log', when: 'before' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'juju-log', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'relation-set', when: 'before' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'relation-set', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'state-set', when: 'before' },
  { unit: 'lxd/0', hook: CONFIG, tool: 'state-set', when: 'after' },
  { unit: 'lxd/0', hook: CONFIG, afterMs: 400 },
  { unit: 'lxd/0', hook: CONFIG, afterMs: 150 },
  { unit: 'lxd/1', hook: PEER, tool: 'relation-get', when: 'before' },
  { unit: 'lxd/1', hook: PEER, tool: 'relation-get', when: 'after' },
  { unit: 'lxd/1', hook: PEER, tool: 'juju-log', when: 'after' },
  { unit: 'lxd/1', hook: PEER, tool: 'config-get', when: 'before' },
  { unit: 'lxd/1', hook: PEER, tool: 'network-get', when: 'after' },
  { unit: 'lxd/1', hook: PEER, tool: 'state-set', when: 'before' },
  { unit: 'lxd/1', hook: PEER, tool: 'state-set', when: 'after' },
  { unit: 'lxd/1', hook: PEER, afterMs: 600 },
];

const label = (c: HookKillSpec): string => `${c.unit} ${c.hook}: ${c.tool ? `${c.when} ${c.tool}` : `${c.afterMs} ms in`}`;
const whyNot = whyNotRunnable();

describe('SIGKILL mid-hook', () => {
  if (whyNot) {
    (process.env.CI === 'true' ? test : test.skip)(`real LXD cases: ${whyNot}`, () => {
      throw new Error(whyNot);
    });
    return;
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'rel-kill-'));
  let model: Model;
  const shell = unitShell(() => model);
  let port = 8443;

  beforeAll(async () => {
    model = await Model.create({ name: `rel-kill-${process.pid}`, backend: 'namespace', home });
    await deployMesh(model, packedCharmPath, 2, shell);
    expect(await meshProblems(model, shell, port)).toEqual([]);
  });

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test.each(KILL_CASES.map((c) => [label(c), c] as const))('%s: killed, retried, converged', async (_name, kill) => {
    model.clearFaults();
    const before = model.firedFaults().length;
    model.killHookAt(kill);
    port = port === 8443 ? 8444 : 8443;
    expect(model.config('lxd', { 'https-port': port })).toBe(true);
    const report = await model.settle({ retryFailedHooks: 3 });
    expect(model.firedFaults().slice(before)).toEqual([expect.objectContaining({ kind: 'kill', unit: kill.unit, hook: kill.hook })]);
    // the killed hook failed, and Juju's retry of it (and of anything else that failed) then succeeded
    expect(report.failed.some((f) => f.unit === kill.unit && f.label.startsWith(kill.hook ?? ''))).toBe(true);
    const unretried = report.failed.filter((f) => !report.ran.slice(report.ran.lastIndexOf(f) + 1).some((r) => r.ok && r.unit === f.unit && r.label === f.label));
    expect(unretried.map((f) => `${f.unit} ${f.label}\n${model.debugLog(f.unit).slice(-2000)}`)).toEqual([]);
    expect(shell.lxdUnits().filter((u) => model.state.units[u]?.erroredEvent)).toEqual([]);
    expect(await meshProblems(model, shell, port)).toEqual([]);
  });
});
