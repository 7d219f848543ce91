// A machine moves to another address, and what Juju makes of it. From juju/juju's source:
// - the uniter watches its unit's addresses, and a change bumps the same counter a config change
//   does: every unit on the machine gets config-changed (worker/uniter/remotestate/watcher.go,
//   `addressesChanged`: `w.current.ConfigVersion++`);
// - network-get and unit-get read the machine's addresses when called: they answer the new address at once;
// - a unit's own relation settings (private-address, ingress-address, egress-subnets) are rewritten
//   only when a config-changed hook commits: its flush asks for it (internal/worker/uniter/runner/
//   context/context.go, doFlush: `if process == string(hooks.ConfigChanged) { b.UpdateNetworkInfo() }`)
//   and the API server rewrites those keys in every relation the unit has joined, in the hook's own
//   transaction (apiserver/facades/agent/uniter/uniter.go, updateUnitNetworkInfoOperation). A write
//   that changes something wakes -relation-changed on the units that see that unit.

import { parseCidr } from '../machines/subnet';
import { writeAutoKeys } from './lifecycle';
import { enqueueHook } from './queue';
import { ModelError } from './topology';
import type { ModelState, UnitRecord } from './types';

const DOTTED_QUAD = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/;
/** machine ids the namespace backend accepts; machine N is created with the subnet's .(10 + N) */
const LAST_MACHINE_ID = 239;

function ipNumber(address: string): number | null {
  if (!DOTTED_QUAD.test(address)) return null;
  return parseCidr(address)?.base ?? null;
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Addresses a machine may not move to, with the reason: the others' addresses and those kept for machines to come. */
function unavailable(state: ModelState, machineId: string, base: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const other of Object.values(state.machines)) {
    const n = ipNumber(other.address);
    if (other.id !== machineId && n !== null) out.set(n, `in use by machine ${other.id}`);
  }
  const machine = state.machines[machineId];
  if (machine?.backend === 'namespace') {
    // new machines take .(10 + id) without asking: keep those free
    for (let id = state.counters.machine; id <= LAST_MACHINE_ID; id += 1) {
      if (!out.has(base + 10 + id)) out.set(base + 10 + id, `kept for machine ${id}`);
    }
  }
  return out;
}

/**
 * The address a machine moves to: `requested` once checked (an IPv4 address on the machine's subnet,
 * not its network, gateway or broadcast address, not another machine's, not its current one), else
 * the highest free address of the subnet. Throws a ModelError naming what is wrong.
 */
export function chooseMachineAddress(state: ModelState, machineId: string, requested?: string): string {
  const machine = state.machines[machineId];
  if (!machine) throw new ModelError(`machine "${machineId}" not found`);
  const net = parseCidr(machine.cidr);
  if (!net) throw new ModelError(`machine ${machineId} has no subnet to choose an address from`);
  const size = 2 ** (32 - net.prefix);
  const first = net.base + 2; // .0 is the network, .1 the host's end of the bridge
  const last = net.base + size - 2; // the top one is the broadcast address
  const taken = unavailable(state, machineId, net.base);
  if (requested === undefined) {
    for (let n = last; n >= first; n -= 1) {
      if (!taken.has(n) && formatIp(n) !== machine.address) return formatIp(n);
    }
    throw new ModelError(`no free address left on ${machine.cidr} for machine ${machineId}`);
  }
  const n = ipNumber(requested);
  if (n === null) throw new ModelError(`"${requested}" is not an IPv4 address`);
  if (n < net.base || n >= net.base + size) throw new ModelError(`${requested} is not on machine ${machineId}'s subnet ${machine.cidr}`);
  if (n < first || n > last) throw new ModelError(`${requested} is the network, gateway or broadcast address of ${machine.cidr}`);
  if (requested === machine.address) throw new ModelError(`machine ${machineId} already has address ${requested}`);
  const reason = taken.get(n);
  if (reason) throw new ModelError(`${requested} is ${reason}`);
  return requested;
}

/** After the machine has its new address: config-changed on every unit on it (principals and subordinates). */
export function queueAddressChanged(state: ModelState, machineId: string): string[] {
  const units = Object.values(state.units).filter((u) => u.machine === machineId && u.life !== 'dying' && u.life !== 'dead');
  for (const unit of units) enqueueHook(unit, { name: 'config-changed' });
  return units.map((u) => u.name).sort();
}

/**
 * What a committed config-changed does besides the charm's writes: the unit's address keys in every
 * relation it has joined follow its machine's address. Returns the bags that really changed.
 */
export function refreshNetworkSettings(state: ModelState, unit: UnitRecord): Array<{ relationId: number; owner: string; isApp: boolean }> {
  const changed: Array<{ relationId: number; owner: string; isApp: boolean }> = [];
  for (const relation of Object.values(state.relations).sort((a, b) => a.id - b.id)) {
    if (relation.life !== 'alive' || !(relation.inScope ?? []).includes(unit.name)) continue;
    const before = relation.bagVersions[unit.name] ?? 0;
    writeAutoKeys(state, relation, unit);
    if ((relation.bagVersions[unit.name] ?? 0) !== before) changed.push({ relationId: relation.id, owner: unit.name, isApp: false });
  }
  return changed;
}
