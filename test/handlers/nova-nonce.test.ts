// The nonce nova-compute sees, over every legal interleaving of its lxd-relation hooks and this
// subordinate's. nova-compute (charm-nova-compute) sets `user` in -joined and, in -changed, restarts on
// each nonce it has not seen and then needs `lxc list` to work as that user, and reads `pool`. Juju runs
// each unit's hooks in its own order; what one unit commits to its bag reaches the other as a later
// -changed. The model here: the subordinate runs the charm's real event table (FakeJuju, FakeLxd,
// FakeHost); the principal is a small model of nova-compute's hooks over the same relation data.
import type { ConfigValue, Bag } from '../../src/juju/hook-tools';
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import type { JujuState } from '../fakes/juju-state';
import { FakeLxd } from '../fakes/fake-lxd';

type Side = 'lxd' | 'nova';
const PRINCIPAL = 'nova-compute/0';

interface Restart {
  readonly nonce: string;
  readonly pool: string;
  /** nova could use LXD (in group lxd) and the pool it was told exists, when it restarted */
  readonly works: boolean;
}

/** One run of both units' hooks; `choose` picks who runs next whenever both have a hook queued. */
class TwoUnits {
  juju: FakeJuju;
  readonly lxd = new FakeLxd();
  readonly host = new FakeHost();
  /** nova-compute's own bag on the relation */
  readonly novaBag: Record<string, string> = {};
  /** whether this unit's -joined ran: only then does relation-list name nova-compute/0 */
  private lxdJoined = false;
  private novaJoined = false;
  private lastSeenNonce = '';
  readonly restarts: Restart[] = [];
  readonly queues: Record<Side, string[]> = {
    lxd: ['lxd-relation-created', 'install', 'config-changed', 'start', 'lxd-relation-joined', 'lxd-relation-changed'],
    nova: ['lxd-relation-created', 'lxd-relation-joined', 'lxd-relation-changed'],
  };
  readonly trace: string[] = [];

  constructor(config: Record<string, ConfigValue> = {}) {
    this.juju = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false, ...config }).withRelation('lxd', { remoteApp: 'nova-compute', units: {} }));
  }

  ownBag(): Bag {
    return this.juju.state.relations.find((r) => r.endpoint === 'lxd')?.localUnit ?? {};
  }

  /** Juju queues a -changed for a unit that has joined when the other side's bag changed (coalesced). */
  private notify(side: Side): void {
    const joined = side === 'lxd' ? this.lxdJoined : this.novaJoined;
    const queue = this.queues[side];
    if (joined && !queue.includes('lxd-relation-changed')) queue.push('lxd-relation-changed');
  }

  private withRemote(state: JujuState): JujuState {
    const relations = state.relations.map((r) => (r.endpoint === 'lxd' ? { ...r, remoteUnits: this.lxdJoined ? { [PRINCIPAL]: { ...this.novaBag } } : {} } : r));
    return { ...state, relations };
  }

  async step(side: Side): Promise<void> {
    const hook = this.queues[side].shift();
    if (!hook) throw new Error(`${side} has nothing queued`);
    this.trace.push(`${side}:${hook}`);
    if (side === 'lxd') {
      if (hook === 'lxd-relation-joined') this.lxdJoined = true;
      this.juju = new FakeJuju(this.withRemote(this.juju.state));
      const before = JSON.stringify(this.ownBag());
      expect((await runHook(hook, { juju: this.juju, lxd: this.lxd, host: this.host })).exitCode).toBe(0);
      if (JSON.stringify(this.ownBag()) !== before) this.notify('nova');
      return;
    }
    if (hook === 'lxd-relation-joined') {
      this.novaJoined = true;
      this.novaBag.user = 'nova';
      this.notify('lxd');
    } else if (hook === 'lxd-relation-changed') {
      // nova-compute sees the subordinate's bag only once it has joined (relation-list)
      const { nonce = '', pool = '' } = this.ownBag();
      if (nonce !== '' && nonce !== this.lastSeenNonce) {
        this.lastSeenNonce = nonce;
        const works = (this.host.groups.get('lxd') ?? []).includes('nova') && this.lxd.pools.has(pool);
        this.restarts.push({ nonce, pool, works });
      }
    }
  }

  pending(): Side[] {
    return (['lxd', 'nova'] as const).filter((side) => this.queues[side].length > 0);
  }
}

/**
 * Every schedule, by stateless exploration: each run replays a prefix of choices, takes `lxd` at each
 * later choice point, and queues the alternative for each of those points.
 */
async function everySchedule(setup: () => TwoUnits, check: (run: TwoUnits) => void | Promise<void>): Promise<number> {
  const todo: Side[][] = [[]];
  let runs = 0;
  while (todo.length > 0) {
    const prefix = todo.pop() ?? [];
    const run = setup();
    const taken: Side[] = [];
    for (let ready = run.pending(); ready.length > 0; ready = run.pending()) {
      let side: Side = ready[0] ?? 'lxd';
      if (ready.length > 1) {
        const point = taken.length;
        side = prefix[point] ?? 'lxd';
        if (point >= prefix.length) todo.push([...taken, 'nova']);
        taken.push(side);
      }
      await run.step(side);
    }
    runs++;
    await check(run);
  }
  return runs;
}

const describeRun = (run: TwoUnits): string => `${run.trace.join(' → ')}\nrestarts: ${JSON.stringify(run.restarts)}`;

test('in every interleaving nova-compute restarts exactly once, on a nonce sent after nova joined group lxd and the pool exists', async () => {
  const schedules = await everySchedule(
    () => new TwoUnits(),
    (run) => {
      expect({ run: describeRun(run), restarts: run.restarts.length, working: run.restarts.every((r) => r.works && r.pool === 'lxd') }).toEqual({ run: describeRun(run), restarts: 1, working: true });
      expect(run.ownBag()).toMatchObject({ pool: 'lxd', nonce: run.restarts[0]?.nonce });
    },
  );
  expect(schedules).toBeGreaterThan(20);
}, 60_000);

test('a new pool name gives nova-compute exactly one new nonce, with the new pool, in every interleaving', async () => {
  await everySchedule(
    () => new TwoUnits(),
    async (run) => {
      const first = run.restarts[0]?.nonce;
      // the operator removes the old pool by hand and names another; config-changed follows
      run.lxd.profiles.set('default', { config: {}, devices: {} });
      run.lxd.pools.delete('lxd');
      run.juju = new FakeJuju({ ...run.juju.state, config: { ...run.juju.state.config, 'storage-pool': 'nova' } });
      run.queues.lxd.push('config-changed');
      while (run.pending().length > 0) await run.step(run.pending()[0] ?? 'lxd');
      expect(run.restarts.map((r) => r.pool)).toEqual(['lxd', 'nova']);
      expect(run.restarts[1]?.nonce).not.toBe(first);
      expect(run.restarts.every((r) => r.works)).toBe(true);
    },
  );
}, 60_000);
