// open-port, close-port (pending until commit), opened-ports (committed ranges) — contract §3.6.

import type { PortRange } from '../model/types';
import { quote, usageError } from './errors';
import { boolFlag, checkNoMoreArgs, stringFlag } from './flags';
import type { ToolDef } from './tool';

const ENDPOINTS_FLAG = { name: 'endpoints', kind: 'string' as const, help: 'a comma-delimited list of endpoints' };

function atoi(text: string, what: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw usageError(`invalid port ${quote(what)}: strconv.Atoi: parsing ${quote(text)}: invalid syntax`);
  return Number(text);
}

/** Juju's network.ParsePortRange (input lowercased): `<port>[/<proto>]`, `<from>-<to>[/<proto>]` or `icmp`, same messages. */
export function parsePortRange(input: string): PortRange {
  const text = input.toLowerCase();
  const slash = text.indexOf('/');
  const ports = slash === -1 ? text : text.slice(0, slash);
  let protocol = slash === -1 ? 'tcp' : text.slice(slash + 1);
  const parts = ports.split('-');
  if (parts.length > 2) throw usageError(`invalid port range ${quote(ports)}`);
  let from: number;
  let to: number;
  if (parts.length === 1) {
    from = ports === 'icmp' ? -1 : atoi(ports, ports);
    to = from;
  } else {
    from = atoi(parts[0] as string, parts[0] as string);
    to = atoi(parts[1] as string, parts[1] as string);
  }
  if (from === -1 && ports === 'icmp') protocol = 'icmp';
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'icmp') {
    throw usageError(`invalid protocol ${quote(protocol)}, expected "tcp", "udp", or "icmp"`);
  }
  if (protocol === 'icmp') {
    if (from !== -1 || to !== -1) throw usageError(`protocol "icmp" doesn't support any ports; got "${from}"`);
    return { from, to, protocol };
  }
  if (from > to) throw usageError(`invalid port range ${formatPortRange({ from, to, protocol })}`);
  if (from < 0 || from > 65535 || to < 0 || to > 65535) throw usageError(`port range bounds must be between 0 and 65535, got ${from}-${to}`);
  return { from, to, protocol };
}

export function formatPortRange(range: PortRange): string {
  if (range.protocol === 'icmp') return 'icmp';
  const ports = range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
  return `${ports}/${range.protocol}`;
}

function portTool(name: 'open-port' | 'close-port'): ToolDef {
  return {
    name,
    usage: '<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp',
    purpose: name === 'open-port' ? 'Register a request to open a port or port range.' : 'Register a request to close a port or port range.',
    flags: [ENDPOINTS_FLAG, { name: 'format', kind: 'string', help: 'deprecated format flag' }],
    init(parsed) {
      const [spec, ...rest] = parsed.positionals;
      if (spec === undefined) throw usageError('no port or range specified');
      parsePortRange(spec);
      checkNoMoreArgs(rest);
    },
    run(ctx, { parsed, warn }) {
      if (stringFlag(parsed, 'format')) warn(`--format flag deprecated for command ${quote(name)}`);
      ctx.changePort(name === 'open-port', parsePortRange(parsed.positionals[0] as string));
      return undefined;
    },
  };
}

export const openPort = portTool('open-port');
export const closePort = portTool('close-port');

function order(a: PortRange, b: PortRange): number {
  return a.protocol.localeCompare(b.protocol) || a.from - b.from || a.to - b.to;
}

export const openedPorts: ToolDef = {
  name: 'opened-ports',
  usage: '',
  purpose: 'List all ports or port ranges opened by the unit.',
  flags: [{ name: 'endpoints', kind: 'bool', help: 'display the list of target application endpoints for each port range' }],
  formats: { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' },
  init(parsed) {
    checkNoMoreArgs(parsed.positionals);
  },
  run(ctx, { parsed }) {
    const suffix = boolFlag(parsed, 'endpoints') ? ' (*)' : '';
    return [...ctx.unit().ports].sort(order).map((p) => `${formatPortRange(p)}${suffix}`);
  },
};
