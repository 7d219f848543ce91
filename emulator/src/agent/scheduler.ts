// Runs queued work across the model until nothing is left (settle). One operation at a time per
// machine (the machine lock covers a principal and its subordinates), machines in parallel.

import { nextEventIndex } from '../model/queue';
import type { UnitRecord } from '../model/types';
import { runQueuedEvent, type AgentDeps, type RunOutcome } from './hook-runner';

export class HookStormError extends Error {
  constructor(
    readonly unit: string,
    readonly recent: string[],
  ) {
    super(`hook storm on ${unit}: more than the allowed hooks without going idle; last hooks: ${recent.join(' → ')}`);
    this.name = 'HookStormError';
  }
}

export interface SettleOptions {
  /** at most this many operations per unit in one settle before it counts as a storm */
  maxHooks?: number;
  onEvent?: (outcome: RunOutcome) => void;
  /** run only operations of these units (e.g. an action's unit) */
  units?: string[];
}

export interface SettleReport {
  ran: RunOutcome[];
  failed: RunOutcome[];
}

function runnableOn(deps: AgentDeps, machineId: string, only: Set<string> | null, rotation: Map<string, number>): UnitRecord | null {
  const units = Object.values(deps.state.units)
    .filter((u) => u.machine === machineId && (only === null || only.has(u.name)))
    .filter((u) => nextEventIndex(u) >= 0)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (units.length === 0) return null;
  // take turns between the units of a machine so a busy subordinate does not starve its principal
  const turn = rotation.get(machineId) ?? 0;
  rotation.set(machineId, turn + 1);
  return units[turn % units.length] ?? null;
}

export async function settle(deps: AgentDeps, opts: SettleOptions = {}, afterEach?: () => void): Promise<SettleReport> {
  const maxHooks = opts.maxHooks ?? 500;
  const only = opts.units ? new Set(opts.units) : null;
  const counts = new Map<string, number>();
  const recent = new Map<string, string[]>();
  const rotation = new Map<string, number>();
  const busy = new Map<string, Promise<void>>();
  const report: SettleReport = { ran: [], failed: [] };
  let storm: HookStormError | null = null;
  let crash: unknown = null;

  const startMachine = (machineId: string): boolean => {
    const unit = runnableOn(deps, machineId, only, rotation);
    if (!unit) return false;
    const index = nextEventIndex(unit);
    const count = (counts.get(unit.name) ?? 0) + 1;
    counts.set(unit.name, count);
    const job = runQueuedEvent(deps, unit, index)
      .then((outcome) => {
        report.ran.push(outcome);
        if (!outcome.ok) report.failed.push(outcome);
        const list = [...(recent.get(outcome.unit) ?? []), outcome.label].slice(-8);
        recent.set(outcome.unit, list);
        if (count >= maxHooks && !storm) storm = new HookStormError(outcome.unit, list);
        opts.onEvent?.(outcome);
        afterEach?.();
      })
      .catch((err: unknown) => {
        crash ??= err;
      })
      .finally(() => busy.delete(machineId));
    busy.set(machineId, job);
    return true;
  };

  for (;;) {
    if (!storm && crash === null) {
      for (const machineId of Object.keys(deps.state.machines)) {
        if (!busy.has(machineId)) startMachine(machineId);
      }
    }
    if (busy.size === 0) break;
    await Promise.race(busy.values());
  }
  if (crash !== null) throw crash;
  if (storm) throw storm;
  return report;
}
