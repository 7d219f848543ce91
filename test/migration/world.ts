// A unit running the lxd-migration wiring against fakes: FakeJuju behind a wrapper that records every
// hook-tool call that would spawn a process on a real unit, LXD's trust store and each user's lxc
// files in memory. Shared by the handler tests and bench/migration-fake.
import type { Services } from '../../src/handlers/services';
import { reconcileMigration, type MigrationInput } from '../../src/handlers/peers';
import { readCharmState, stateChanges, stateRemovals } from '../../src/model/charm-state';
import type { Bag, HookTools, UnitName } from '../../src/juju/hook-tools';
import type { ServerInfo } from '../../src/lxd/lxd-api';
import type { LocalUser } from '../../src/lxd/client-config-store';
import type { PeerWiring } from '../../src/model/status';
import type { RelationHookOptions } from '../builders/juju-events';
import { hookEvent } from '../builders/juju-events';
import { servicesFor } from '../builders/run-hook';
import { aUnit, JujuStateBuilder } from '../builders/juju-state';
import { FakeClientConfig, UNIT_USERS } from '../fakes/fake-client-config';
import { FakeLxcClient } from '../fakes/fake-lxc-client';
import { FakeHost } from '../fakes/fake-host';
import { FakeHostsFile } from '../fakes/fake-hosts-file';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';
import { addressOf, hostOf, peerBag, serverCertOf } from './builders';

export const USERS: readonly LocalUser[] = UNIT_USERS;

export const SERVER: ServerInfo = {
  apiExtensions: ['certificate_token'],
  serverVersion: '5.0.2',
  config: {},
  addresses: [`${addressOf(0)}:8443`],
  certificateFingerprint: '',
  storageDrivers: ['dir'],
  certificatePem: serverCertOf(0),
};

/** The tool a HookTools method runs: relationGet → relation-get, log → juju-log. */
const toolOf = (method: string): string => (method === 'log' ? 'juju-log' : method.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
/** Methods that, like ExecHookTools, spawn nothing when given no changes. */
const SKIPPED_WHEN_EMPTY = new Set(['relationSet', 'stateSet']);

/** Wraps a HookTools, recording "tool arg" for each call that would be a process on a real unit. */
export function recordingTools(tools: HookTools, calls: string[]): HookTools {
  return new Proxy(tools, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const changes = prop === 'relationSet' ? args[1] : args[0];
        const empty = SKIPPED_WHEN_EMPTY.has(prop) && typeof changes === 'object' && changes !== null && Object.keys(changes).length === 0;
        if (!empty) calls.push(prop === 'relationGet' ? `relation-get ${String(args[1])}` : toolOf(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export class MigrationWorld {
  juju: FakeJuju;
  readonly clients = new FakeClientConfig();
  readonly lxc = new FakeLxcClient(this.clients);
  readonly lxd = new FakeLxd();
  readonly host = new FakeHost();
  readonly hosts = new FakeHostsFile();
  /** hook-tool calls of every run, in order */
  readonly toolCalls: string[] = [];
  /** wall time of the last run's reconcileMigration, in ms (the fakes' set-up not included) */
  lastMs = 0;

  /** lxd/0 with `peers` (a count of generated peers, their bags, or a whole unit built by the test) */
  constructor(peers: number | ReadonlyMap<UnitName, Bag> | JujuStateBuilder) {
    if (peers instanceof JujuStateBuilder) {
      this.juju = new FakeJuju(peers);
      return;
    }
    let builder = aUnit('lxd/0');
    const bags = typeof peers === 'number' ? new Map(Array.from({ length: peers }, (_, i) => [`lxd/${i + 1}`, peerBag(i + 1)])) : peers;
    for (const [unit, bag] of bags) builder = builder.withPeer(unit, bag);
    this.juju = new FakeJuju(builder);
  }

  /** Runs the wiring in hook `name` and commits, as a successful hook would. */
  async run(name = 'lxd-migration-relation-changed', opts: RelationHookOptions = {}, input: Partial<MigrationInput> = {}): Promise<PeerWiring | null> {
    const juju = recordingTools(this.juju, this.toolCalls);
    const s: Services = servicesFor(hookEvent(name, this.juju.state, opts), { juju, lxd: this.lxd, host: this.host, clients: this.clients, lxc: this.lxc, hosts: this.hosts, hostname: hostOf(0) });
    const stateBag = { ...this.juju.state.charmState };
    const full: MigrationInput = { relationUsers: ['nova'], address: addressOf(0), port: 8443, server: SERVER, trustPassword: async () => ({ value: 'not-used', hash: '' }), pool: 'lxd', ...input };
    // converge reads the charm state anyway (readInputs): not part of what is timed
    const state = readCharmState(stateBag);
    const start = process.hrtime.bigint();
    const result = await reconcileMigration(s, full, state);
    if (result) {
      const changes = stateChanges(stateBag, result.state);
      if (Object.keys(changes).length > 0) await juju.stateSet(changes);
      for (const key of stateRemovals(stateBag, result.state)) await juju.stateDelete(key);
    }
    this.lastMs = Number(process.hrtime.bigint() - start) / 1e6;
    this.juju.commit();
    return result?.wiring ?? null;
  }

  /** The peer relation as the next hook sees it: a peer's bag changed (or appeared), or the peer left. */
  setPeer(unit: UnitName, bag: Bag | null): void {
    const state = this.juju.state;
    const peers = state.relations.find((r) => r.peer);
    if (!peers) throw new Error('no peer relation');
    if (bag === null) delete peers.remoteUnits[unit];
    else peers.remoteUnits[unit] = { ...bag };
    this.juju = new FakeJuju(state);
  }

  /** Replaces (or with null removes) a charm-state key, as a corrupted or older memory would look. */
  setState(key: string, value: string | null): void {
    const state = this.juju.state;
    if (value === null) delete state.charmState[key];
    else state.charmState[key] = value;
    this.juju = new FakeJuju(state);
  }

  /** What one run cost (`run` calls this.run once): hook-tool calls, relation-get targets, LXD calls (reads included), lxc file writes. */
  async measure(run: () => Promise<unknown>): Promise<{ readonly tools: string[]; readonly relationGets: string[]; readonly lxd: string[]; readonly files: string[]; readonly ms: number }> {
    const before = { tools: this.toolCalls.length, lxd: this.lxd.trustCalls.length, files: this.clients.writes.length };
    await run();
    const ms = this.lastMs;
    const tools = this.toolCalls.slice(before.tools);
    return { tools, relationGets: tools.filter((c) => c.startsWith('relation-get ')).map((c) => c.slice('relation-get '.length)), lxd: this.lxd.trustCalls.slice(before.lxd), files: this.clients.writes.slice(before.files), ms };
  }
}
