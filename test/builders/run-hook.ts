// Fires one event through the charm's real event table, as Juju would: on exit 0 the fake commits the
// hook's pending writes, otherwise it drops them. Returns the exit code and what went to stderr.
import { eventTable } from '../../src/events';
import type { Services } from '../../src/handlers/services';
import type { Host } from '../../src/host/host';
import type { JujuEvent } from '../../src/juju/context';
import { dispatchEvent } from '../../src/juju/dispatcher';
import type { LxdApi } from '../../src/lxd/lxd-api';
import type { ClientConfigStore } from '../../src/lxd/client-config-store';
import type { LxcClient } from '../../src/lxd/lxc-client';
import type { UnitMemo } from '../../src/juju/unit-memo';
import type { HookTools } from '../../src/juju/hook-tools';
import type { FakeJuju } from '../fakes/fake-juju';
import { FakeClientConfig } from '../fakes/fake-client-config';
import { FakeLxcClient } from '../fakes/fake-lxc-client';
import { FakeHostsFile } from '../fakes/fake-hosts-file';
import type { HostsFile } from '../../src/model/peer-hosts';
import { actionEvent, hookEvent, type RelationHookOptions } from './juju-events';

export interface World {
  readonly juju: FakeJuju;
  readonly lxd: LxdApi;
  readonly host: Host;
  readonly now?: () => Date;
  /** the charm directory's memo; without one, update-status always converges */
  readonly memo?: UnitMemo;
  /** the users' lxc files; default: empty ones for root and nova */
  readonly clients?: ClientConfigStore;
  /** default: a FakeLxcClient over `clients` */
  readonly lxc?: LxcClient;
  /** default: juju-host-0 */
  readonly hostname?: string;
  /** default: an empty FakeHostsFile */
  readonly hosts?: HostsFile;
}

/** The Services a handler gets in `world`, with in-memory defaults for what the test leaves out. */
export function servicesFor(event: JujuEvent, world: Omit<World, 'juju'> & { readonly juju: HookTools }): Services {
  const clients = world.clients ?? new FakeClientConfig();
  return {
    event,
    juju: world.juju,
    lxd: world.lxd,
    host: world.host,
    now: world.now ?? (() => new Date(0)),
    clients,
    lxc: world.lxc ?? new FakeLxcClient(clients),
    hostname: world.hostname ?? 'juju-host-0',
    hosts: world.hosts ?? new FakeHostsFile(),
    ...(world.memo ? { memo: world.memo } : {}),
  };
}

export interface Outcome {
  readonly exitCode: number;
  /** lines written to stderr (only when juju-log itself failed) */
  readonly stderr: readonly string[];
}

export async function runEvent(event: JujuEvent, world: World): Promise<Outcome> {
  const stderr: string[] = [];
  const exitCode = await dispatchEvent(servicesFor(event, world), eventTable, (line) => stderr.push(line));
  if (exitCode === 0) world.juju.commit();
  else world.juju.rollback();
  return { exitCode, stderr };
}

export const runHook = (name: string, world: World, opts: RelationHookOptions = {}): Promise<Outcome> =>
  runEvent(hookEvent(name, world.juju.state, opts), world);

/** The fake's state must have been built with runningAction(name, params). */
export function runAction(name: string, world: World): Promise<Outcome> {
  const state = world.juju.state;
  if (state.action?.name !== name) throw new Error(`build the state with runningAction("${name}") to run that action`);
  return runEvent(actionEvent(name, state), world);
}
