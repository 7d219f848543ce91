// The measurements behind bench/migration-fake.mjs (which bundles this file with esbuild and runs it):
// one unit of N+1, wired to N peers by the charm's real migration code over FakeJuju (every hook-tool
// call recorded, as it would be a process on a real unit), an in-memory LXD trust store and lxc files.
import type { LxdApi } from '../../src/lxd/lxd-api';
import { aUnit } from '../../test/builders/juju-state';
import { runHook } from '../../test/builders/run-hook';
import { FakeClientConfig } from '../../test/fakes/fake-client-config';
import { FakeHost } from '../../test/fakes/fake-host';
import { FakeHostsFile } from '../../test/fakes/fake-hosts-file';
import { FakeJuju } from '../../test/fakes/fake-juju';
import { FakeLxcClient } from '../../test/fakes/fake-lxc-client';
import { FakeLxd } from '../../test/fakes/fake-lxd';
import { MemoryMemo } from '../../test/fakes/memory-memo';
import { hostOf, peerBag, serverCertOf } from '../../test/migration/builders';
import { MigrationWorld } from '../../test/migration/world';

export interface BenchRow {
  readonly peers: number;
  readonly hook: string;
  readonly toolCalls: number;
  readonly relationGets: number;
  readonly lxdCalls: number;
  readonly fileWrites: number;
  /** median wall time of the migration part of the hook, ms */
  readonly ms: number;
}

const CHANGED = 'lxd-migration-relation-changed';
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs `hook` `repeat` times, `prepare` (not measured) before each; the counts must be the same every time. */
async function row(w: MigrationWorld, peers: number, label: string, repeat: number, hook: () => Promise<unknown>, prepare: (i: number) => Promise<unknown> = async () => undefined): Promise<BenchRow> {
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    await prepare(i);
    runs.push(await w.measure(hook));
  }
  const first = runs[0];
  if (!first) throw new Error('no run');
  const counts = (r: typeof first): string => JSON.stringify([r.tools.length, r.relationGets.length, r.lxd.length, r.files.length]);
  if (runs.some((r) => counts(r) !== counts(first))) throw new Error(`${label}: the counts differ between runs: ${runs.map(counts).join(' ')}`);
  return { peers, hook: label, toolCalls: first.tools.length, relationGets: first.relationGets.length, lxdCalls: first.lxd.length, fileWrites: first.files.length, ms: median(runs.map((r) => r.ms)) };
}

/** Counts the calls of every method of `target` (HookTools: each a process on a real unit; LXD: each a request), except `skip`. */
function counted<T extends object>(target: T, calls: string[], skip: ReadonlySet<string> = new Set()): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function' || skip.has(prop)) return value;
      return (...args: unknown[]): unknown => {
        calls.push(prop);
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/**
 * The whole relation hook through the event table (converge and the wiring, as a real unit runs it),
 * on a converged unit with `peers` peers: hook-tool calls (every HookTools call), LXD API calls (every
 * LxdApi call) and ms of the whole handler.
 */
async function wholeHookRows(peers: number, repeat: number): Promise<BenchRow[]> {
  const clients = new FakeClientConfig();
  let builder = aUnit('lxd/0').withConfig({ 'lvm-thinpool': false }).withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } });
  for (let i = 1; i <= peers; i++) builder = builder.withPeer(`lxd/${i}`, peerBag(i));
  const world = { juju: new FakeJuju(builder), lxd: new FakeLxd({ certificatePem: serverCertOf(0) }), host: new FakeHost(), clients, lxc: new FakeLxcClient(clients), hosts: new FakeHostsFile(), memo: new MemoryMemo(), hostname: hostOf(0) };
  const first = await runHook('config-changed', world);
  if (first.exitCode !== 0 || world.juju.unitStatus.status !== 'active') throw new Error(`whole hook: the unit did not converge: ${world.juju.unitStatus.message}`);
  const measure = async (label: string, prepare: (i: number) => void): Promise<BenchRow> => {
    const runs: { tools: number; relationGets: number; lxd: number; files: number; ms: number }[] = [];
    for (let i = 0; i < repeat; i++) {
      prepare(i);
      const tools: string[] = [];
      const lxd: string[] = [];
      const files = clients.writes.length;
      const juju = counted(world.juju, tools, new Set(['commit', 'rollback']));
      const started = process.hrtime.bigint();
      const result = await runHook('lxd-migration-relation-changed', { ...world, juju: juju as FakeJuju, lxd: counted<LxdApi>(world.lxd, lxd) }, { remoteUnit: 'lxd/7' });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.exitCode !== 0) throw new Error(`whole hook ${label} failed`);
      runs.push({ tools: tools.length, relationGets: tools.filter((t) => t === 'relationGet').length, lxd: lxd.length, files: clients.writes.length - files, ms });
    }
    const last = runs[runs.length - 1] ?? { tools: 0, relationGets: 0, lxd: 0, files: 0, ms: 0 };
    return { peers, hook: label, toolCalls: last.tools, relationGets: last.relationGets, lxdCalls: last.lxd, fileWrites: last.files, ms: median(runs.map((r) => r.ms)) };
  };
  let moves = 0;
  const setPeer7 = (bag: Record<string, string>): void => {
    const state = world.juju.state;
    const peerRelation = state.relations.find((r) => r.peer);
    if (peerRelation) peerRelation.remoteUnits['lxd/7'] = bag;
    world.juju = new FakeJuju(state);
  };
  return [
    await measure('whole hook: -changed, one peer\'s address changed', () => setPeer7(peerBag(7, { address: `10.0.${9 + Math.floor(++moves / 250)}.${moves % 250}` }))),
    await measure('whole hook: -changed, nothing changed', () => undefined),
  ];
}

/** The rows for a unit with `peers` peers. */
export async function benchPeers(peers: number, repeat: number): Promise<BenchRow[]> {
  const w = new MigrationWorld(peers);
  const rows = [await row(w, peers, 'first full wiring (config-changed, no memory)', 1, () => w.run('config-changed'))];
  rows.push(await row(w, peers, 'config-changed, nothing changed (reads every bag)', repeat, () => w.run('config-changed')));
  // the peer's address moves to a new one before every run, so every run has a change to wire
  let moves = 0;
  const move = async (): Promise<void> => w.setPeer('lxd/7', peerBag(7, { address: `10.0.${9 + Math.floor(++moves / 250)}.${moves % 250}` }));
  const changedHook = (): Promise<unknown> => w.run(CHANGED, { remoteUnit: 'lxd/7' });
  rows.push(await row(w, peers, '-changed, one peer\'s address changed', repeat, changedHook, move));
  rows.push(await row(w, peers, '-changed, nothing changed', repeat, () => w.run(CHANGED, { remoteUnit: 'lxd/8' })));
  // what the same hook costs without memory (as before it existed): every bag read
  const forgetAndMove = async (): Promise<void> => {
    for (const key of Object.keys(w.juju.state.charmState)) if (key.startsWith('migration-')) w.setState(key, null);
    await move();
  };
  rows.push(await row(w, peers, '-changed, one peer changed, no memory (every bag)', repeat, changedHook, forgetAndMove));
  rows.push(...(await wholeHookRows(peers, repeat)));
  return rows;
}
