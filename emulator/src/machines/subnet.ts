// Picks the model's private /24 (in 10.100.0.0–10.199.255.0) so that it overlaps no route or address
// already on the host, and gives each machine a fixed address in it.

import { modelHash } from './naming';

export interface Ipv4Net {
  base: number; // network address as an unsigned 32-bit integer
  prefix: number;
}

export function parseCidr(cidr: string): Ipv4Net | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

export function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

const FIRST = (10 * 256 + 100) * 256; // 10.100.0.0 as a count of /24s
const CANDIDATES = 100 * 256; // 10.100.0.0/24 … 10.199.255.0/24

/** Chooses a /24 for the model that overlaps none of `inUse` (routes and addresses of the host). */
export function chooseSubnet(modelName: string, inUse: readonly string[]): string {
  const used = inUse.map(parseCidr).filter((n): n is Ipv4Net => n !== null && n.prefix > 0);
  const start = parseInt(modelHash(modelName).slice(0, 8), 16) % CANDIDATES;
  for (let i = 0; i < CANDIDATES; i++) {
    const base = (FIRST + ((start + i * 257) % CANDIDATES)) * 256;
    const candidate: Ipv4Net = { base, prefix: 24 };
    if (!used.some((u) => overlaps(candidate, u))) return `${formatIp(base)}/24`;
  }
  throw new Error('no free /24 left in 10.100.0.0/16–10.199.255.0/24 for the model bridge');
}

/** the host's address on the bridge: .1 */
export function gatewayAddress(cidr: string): string {
  const net = parseCidr(cidr);
  if (!net) throw new Error(`bad subnet ${cidr}`);
  return formatIp(net.base + 1);
}

/** machine N gets .(10 + N) */
export function machineAddress(cidr: string, id: string): string {
  const net = parseCidr(cidr);
  if (!net) throw new Error(`bad subnet ${cidr}`);
  return formatIp(net.base + 10 + Number(id));
}
