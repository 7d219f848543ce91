// The measurements behind bench/migration-fake.mjs (which bundles this file with esbuild and runs it):
// one unit of N+1, wired to N peers by the charm's real migration code over FakeJuju (every hook-tool
// call recorded, as it would be a process on a real unit), an in-memory LXD trust store and lxc files.
import { peerBag } from '../../test/migration/builders';
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
  return rows;
}
