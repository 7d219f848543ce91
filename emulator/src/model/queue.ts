// A unit's pending operations and the order its agent picks them in (Juju's resolver, contract §4.1).

import type { HookEvent, UnitRecord } from './types';

export type HookSpec = Extract<HookEvent, { kind: 'hook' }>;

/** Lower runs first. Relation hooks share one rank so each relation keeps its FIFO order. */
export function rankOf(event: HookEvent): number {
  if (event.kind === 'action') return 3;
  if (event.retry) return 5;
  const name = event.name;
  if (name.endsWith('-relation-created')) return 0;
  if (name === 'leader-elected' || name === 'leader-settings-changed') return 1;
  if (name.startsWith('secret-')) return 2;
  if (name.endsWith('-storage-attached') || name.endsWith('-storage-detaching')) return 4;
  if (name === 'install') return 6;
  if (name === 'upgrade-charm') return 7;
  if (name === 'config-changed') return 8;
  if (name === 'start') return 9;
  if (/-relation-(joined|changed|departed|broken)$/.test(name)) return 10;
  if (name === 'stop') return 11;
  if (name === 'remove') return 12;
  if (name === 'update-status') return 13;
  return 10;
}

/** Ranks that wait until install has run (contract §4.1). */
function needsInstall(event: HookEvent): boolean {
  const rank = rankOf(event);
  return rank <= 2;
}

function installPending(unit: UnitRecord): boolean {
  return unit.queue.some((e) => e.kind === 'hook' && e.name === 'install');
}

/** The index of the next runnable event in the unit's queue, or -1. A unit in error runs only actions. */
export function nextEventIndex(unit: UnitRecord): number {
  const inError = unit.erroredEvent !== null;
  const hasInstall = installPending(unit);
  let best = -1;
  let bestRank = Infinity;
  unit.queue.forEach((event, index) => {
    if (inError && event.kind !== 'action') return;
    if (hasInstall && needsInstall(event)) return;
    const rank = rankOf(event);
    if (rank < bestRank) {
      best = index;
      bestRank = rank;
    }
  });
  return best;
}

function sameHook(a: HookEvent, b: HookSpec): boolean {
  return (
    a.kind === 'hook' &&
    a.name === b.name &&
    a.relationId === b.relationId &&
    a.remoteUnit === b.remoteUnit &&
    a.departingUnit === b.departingUnit
  );
}

/** Queues a hook unless the same one is already pending (Juju coalesces repeated events). */
export function enqueueHook(unit: UnitRecord, hook: Omit<HookSpec, 'kind'>, coalesce = true): void {
  const event: HookSpec = { kind: 'hook', ...hook };
  if (coalesce && unit.queue.some((e) => sameHook(e, event))) return;
  unit.queue.push(event);
}

export function describeEvent(event: HookEvent): string {
  if (event.kind === 'action') return `action ${event.actionId}`;
  const remote = event.remoteUnit ? ` (${event.remoteUnit})` : '';
  return `${event.name}${remote}`;
}
