// Gives a namespace machine another address on the model bridge: the new address goes on its eth0
// first, then the old one comes off. The kernel would drop every secondary address of the subnet with
// the primary, so secondaries are promoted instead; routes the old address carried are put back.

import type { MachineRecord } from '../model/types';
import { run, tryRun } from './command';
import { handlesOf, NSENTER } from './enter';
import { parseCidr } from './subnet';

interface RouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  prefsrc?: string;
}

/** `ip route` arguments that re-create a route (kernel-made connected routes come back by themselves). */
function routeSpec(route: RouteJson): string[] | null {
  if (route.protocol === 'kernel' || !route.dst) return null;
  return [route.dst, ...(route.gateway ? ['via', route.gateway] : []), ...(route.dev ? ['dev', route.dev] : [])];
}

const sameRoute = (a: RouteJson, b: RouteJson): boolean => a.dst === b.dst && (a.gateway ?? '') === (b.gateway ?? '') && (a.dev ?? '') === (b.dev ?? '');

async function routes(netns: string): Promise<RouteJson[]> {
  return JSON.parse((await run(['ip', '-j', '-n', netns, '-4', 'route', 'show'])).stdout || '[]') as RouteJson[];
}

/** Re-addresses the machine's eth0 inside its netns; returns the updated record. */
export async function readdressNamespaceMachine(machine: MachineRecord, address: string): Promise<MachineRecord> {
  const { netns, netnsPath } = handlesOf(machine);
  const prefix = parseCidr(machine.cidr)?.prefix;
  if (prefix === undefined) throw new Error(`machine ${machine.id} has no valid subnet (${machine.cidr})`);
  const before = await routes(netns);
  await run([NSENTER, `--net=${netnsPath}`, '--', 'sysctl', '-q', '-w', 'net.ipv4.conf.eth0.promote_secondaries=1']);
  await run(['ip', '-n', netns, 'addr', 'add', `${address}/${prefix}`, 'dev', 'eth0']);
  if (machine.address !== '') {
    const removed = await tryRun(['ip', '-n', netns, 'addr', 'del', `${machine.address}/${prefix}`, 'dev', 'eth0']);
    // the old address may already be gone (an earlier attempt that crashed half-way); anything else is an error
    if (removed.exitCode !== 0 && !/Cannot assign requested address|not found/i.test(removed.stderr)) {
      await tryRun(['ip', '-n', netns, 'addr', 'del', `${address}/${prefix}`, 'dev', 'eth0']);
      throw new Error(`machine ${machine.id}: cannot remove ${machine.address}: ${removed.stderr.trim()}`);
    }
  }
  const after = await routes(netns);
  for (const route of before) {
    const spec = routeSpec(route);
    if (spec && !after.some((r) => sameRoute(r, route))) await run(['ip', '-n', netns, 'route', 'replace', ...spec]);
  }
  return { ...machine, address };
}
