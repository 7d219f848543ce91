// The model's bridge on the host: one per model, holding the host's .1 address; machines hang off it
// by veth pairs. No NAT, no forwarding: traffic stays among the machines and the host.

import { run, tryRun } from './command';
import { bridgeName, validateModelName } from './naming';
import { chooseSubnet, gatewayAddress } from './subnet';

export interface ModelNetwork {
  bridge: string;
  cidr: string; // e.g. 10.123.45.0/24
  gateway: string; // the host's address on the bridge
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}
interface IpRouteJson {
  dst?: string;
}

// Serialises network changes per model inside this process (machines may be created concurrently).
const locks = new Map<string, Promise<unknown>>();
export function withModelLock<T>(modelName: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(modelName) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  locks.set(modelName, next.catch(() => undefined));
  return next;
}

async function bridgeAddress(bridge: string): Promise<string | null> {
  const res = await tryRun(['ip', '-j', '-4', 'addr', 'show', 'dev', bridge]);
  if (res.exitCode !== 0) return null;
  const links = JSON.parse(res.stdout || '[]') as IpAddrJson[];
  const info = links[0]?.addr_info?.find((a) => a.family === 'inet');
  return info?.local && info.prefixlen !== undefined ? `${info.local}/${info.prefixlen}` : '';
}

async function cidrsInUse(): Promise<string[]> {
  const routes = JSON.parse((await run(['ip', '-j', '-4', 'route', 'show', 'table', 'all'])).stdout || '[]') as IpRouteJson[];
  const addrs = JSON.parse((await run(['ip', '-j', '-4', 'addr'])).stdout || '[]') as IpAddrJson[];
  const used = routes.map((r) => r.dst ?? '').filter((d) => d !== '' && d !== 'default');
  for (const link of addrs) {
    for (const a of link.addr_info ?? []) if (a.local) used.push(`${a.local}/${a.prefixlen ?? 32}`);
  }
  return used;
}

function networkOf(bridge: string, addressWithPrefix: string): ModelNetwork {
  const [gateway = '', prefix = '24'] = addressWithPrefix.split('/');
  const octets = gateway.split('.');
  return { bridge, cidr: `${octets.slice(0, 3).join('.')}.0/${prefix}`, gateway };
}

/** Creates the model's bridge (or finds the existing one) and returns its subnet. Caller holds the model lock. */
export async function ensureModelNetwork(modelName: string): Promise<ModelNetwork> {
  validateModelName(modelName);
  const bridge = bridgeName(modelName);
  const existing = await bridgeAddress(bridge);
  if (existing) return networkOf(bridge, existing);
  if (existing === null) await run(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  const cidr = chooseSubnet(modelName, await cidrsInUse());
  await run(['ip', 'addr', 'add', `${gatewayAddress(cidr)}/24`, 'dev', bridge]);
  await run(['ip', 'link', 'set', bridge, 'up']);
  return { bridge, cidr, gateway: gatewayAddress(cidr) };
}

/** Ports still attached to the model bridge (machines' veths). */
export async function bridgePorts(modelName: string): Promise<string[]> {
  const res = await tryRun(['ip', '-j', 'link', 'show', 'master', bridgeName(modelName)]);
  if (res.exitCode !== 0) return [];
  return (JSON.parse(res.stdout || '[]') as IpAddrJson[]).map((l) => l.ifname ?? '').filter(Boolean);
}

/** Removes the model's bridge (idempotent). Machines should be destroyed first. */
export async function destroyModelNetwork(modelName: string): Promise<void> {
  validateModelName(modelName);
  const bridge = bridgeName(modelName);
  if ((await bridgeAddress(bridge)) === null) return;
  await run(['ip', 'link', 'del', bridge]);
}
