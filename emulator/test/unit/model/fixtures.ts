// Charms and models as plain data for the pure model tests.

import { addUnitRecord } from '../../../src/model/lifecycle';
import { nextEventIndex } from '../../../src/model/queue';
import { afterHook, beforeHook } from '../../../src/model/hook-effects';
import { addUnits, deployApp, emptyModel, pendingSubordinates } from '../../../src/model/operations';
import type { CharmInfo, CharmMeta, HookEvent, MachineRecord, ModelState, UnitRecord } from '../../../src/model/types';

export const NOW = '2026-11-26T21:00:00.000Z';

export function charm(meta: Partial<CharmMeta> & { name: string }, extra: Partial<CharmInfo> = {}): CharmInfo {
  return {
    dir: `/charms/${meta.name}`,
    source: `/charms/${meta.name}`,
    revision: 0,
    meta: { summary: 's', description: 'd', subordinate: false, endpoints: {}, ...meta },
    config: {},
    actions: {},
    ...extra,
  };
}

export const principalCharm = charm({
  name: 'nova-compute',
  endpoints: {
    lxd: { name: 'lxd', role: 'requirer', interface: 'containers', scope: 'container' },
    'compute-peer': { name: 'compute-peer', role: 'peer', interface: 'compute-peer', scope: 'global' },
  },
});

export const subordinateCharm = charm({
  name: 'lxd',
  subordinate: true,
  endpoints: {
    lxd: { name: 'lxd', role: 'provider', interface: 'containers', scope: 'container' },
    container: { name: 'container', role: 'requirer', interface: 'juju-info', scope: 'container' },
    'lxd-migration': { name: 'lxd-migration', role: 'peer', interface: 'lxd-migration', scope: 'global' },
  },
});

export function machine(id: string): MachineRecord {
  return {
    id,
    backend: 'local',
    hostname: `m${id}`,
    address: `10.0.0.${Number(id) + 10}`,
    cidr: '10.0.0.0/24',
    mounts: { '/var/lib/juju': `/tmp/m${id}` },
    handles: {},
    loopDevices: [],
    lxdPid: null,
  };
}

export function modelWith(apps: Array<{ name: string; charm: CharmInfo; units: number }>): ModelState {
  const state = emptyModel('test', '/tmp/model');
  for (const app of apps) {
    deployApp(state, { name: app.name, charm: app.charm });
    for (let i = 0; i < app.units; i += 1) {
      const id = String(state.counters.machine++);
      state.machines[id] = machine(id);
      addUnits(state, app.name, [id], NOW);
    }
  }
  return state;
}

export function addSubordinates(state: ModelState): void {
  for (const sub of pendingSubordinates(state)) addUnitRecord(state, sub.app, sub.machine, sub.principal, NOW);
}

export function label(unit: string, event: HookEvent): string {
  if (event.kind === 'action') return `${unit} action`;
  const extra = [event.remoteUnit ? `remote=${event.remoteUnit}` : '', event.departingUnit ? `departing=${event.departingUnit}` : ''].filter(Boolean).join(' ');
  return `${unit} ${event.name}${extra ? ` ${extra}` : ''}`;
}

/** Runs every queued hook as if it succeeded with no writes, one unit at a time in name order; returns what ran. */
export function drain(state: ModelState, limit = 1000): string[] {
  const ran: string[] = [];
  for (let i = 0; i < limit; i += 1) {
    const unit = Object.values(state.units)
      .sort((a, b) => a.name.localeCompare(b.name))
      .find((u) => nextEventIndex(u) >= 0);
    if (!unit) return ran;
    ran.push(runOne(state, unit));
  }
  throw new Error('drain: did not settle');
}

export function runOne(state: ModelState, unit: UnitRecord): string {
  const [event] = unit.queue.splice(nextEventIndex(unit), 1);
  if (!event) throw new Error('nothing queued');
  beforeHook(state, unit, event, NOW);
  afterHook(state, unit, event, NOW);
  return label(unit.name, event);
}

/** Runs one unit's queue only, until it is empty. */
export function drainUnit(state: ModelState, name: string): string[] {
  const ran: string[] = [];
  for (;;) {
    const unit = state.units[name];
    if (!unit || nextEventIndex(unit) < 0) return ran;
    ran.push(runOne(state, unit));
  }
}
