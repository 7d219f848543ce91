// config-get, unit-get, network-get, is-leader (contract §3.2).

import type { MachineRecord } from '../model/types';
import { quote, runError, usageError } from './errors';
import { boolFlag, checkNoMoreArgs } from './flags';
import type { Printable } from './format';
import type { HookContext } from './hook-context';
import { RELATION_FLAG, resolveRelation, type ToolDef } from './tool';

const formats: NonNullable<ToolDef['formats']> = { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' };

export const configGet: ToolDef = {
  name: 'config-get',
  usage: '[<key>] [--all] [--format]',
  purpose: 'Print application configuration.',
  flags: [{ name: 'all', aliases: ['a'], kind: 'bool', help: 'print all keys' }],
  formats,
  init(parsed) {
    const [key, ...rest] = parsed.positionals;
    if (key !== undefined && key !== '' && boolFlag(parsed, 'all')) throw usageError(`cannot use argument --all together with key ${quote(key)}`);
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const app = ctx.application();
    const values: { [key: string]: Printable } = {};
    for (const [name, option] of Object.entries(app.charm.config)) {
      const value = name in app.config ? app.config[name] : option.default;
      if (value !== undefined && (value !== null || boolFlag(parsed, 'all'))) values[name] = value;
    }
    const key = parsed.positionals[0];
    if (key === undefined || key === '') return values;
    return values[key] ?? null;
  },
};

function machineOf(ctx: HookContext): MachineRecord {
  const machine = ctx.model().machines[ctx.unit().machine];
  if (!machine) throw runError(`machine ${ctx.unit().machine} not found`);
  return machine;
}

export const unitGet: ToolDef = {
  name: 'unit-get',
  usage: '<setting>',
  purpose: 'Print public-address or private-address.',
  flags: [],
  formats,
  init(parsed) {
    const [key, ...rest] = parsed.positionals;
    if (key === undefined) throw usageError('no setting specified');
    if (key !== 'private-address' && key !== 'public-address') throw usageError(`unknown setting ${quote(key)}`);
    checkNoMoreArgs(rest);
  },
  run(ctx) {
    return machineOf(ctx).address;
  },
};

/** A stable, locally administered-looking MAC in LXD's 00:16:3e range, derived from the address. */
function macFor(address: string): string {
  const octets = address.split('.').map((o) => Number(o) & 0xff);
  return ['00', '16', '3e', ...octets.slice(1, 4).map((o) => o.toString(16).padStart(2, '0'))].join(':');
}

export const networkGet: ToolDef = {
  name: 'network-get',
  usage: '<binding-name> [--ingress-address] [--bind-address] [--egress-subnets] [-r <relation>]',
  purpose: 'Get network config.',
  flags: [
    { name: 'bind-address', kind: 'bool', help: 'print the address to bind to' },
    { name: 'ingress-address', kind: 'bool', help: 'print the ingress-address' },
    { name: 'egress-subnets', kind: 'bool', help: 'print the egress-subnets' },
    { name: 'primary-address', kind: 'bool', help: '(deprecated) same as --bind-address' },
    RELATION_FLAG,
  ],
  formats,
  init(parsed) {
    const [binding, ...rest] = parsed.positionals;
    if (binding === undefined) throw usageError('no arguments specified');
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed, format }) {
    const binding = parsed.positionals[0] as string;
    if (parsed.values.has('relation')) resolveRelation(ctx, parsed);
    const endpoints = ctx.application().charm.meta.endpoints;
    if (!(binding in endpoints)) throw runError(`no network config found for binding ${quote(binding)}`);
    const machine = machineOf(ctx);
    const address = machine.address;
    const egress = [`${address}/32`];
    const wanted = ['bind-address', 'ingress-address', 'egress-subnets'].filter(
      (k) => boolFlag(parsed, k) || (k === 'bind-address' && boolFlag(parsed, 'primary-address')),
    );
    const single: Record<string, Printable> = { 'bind-address': address, 'ingress-address': address, 'egress-subnets': egress };
    if (wanted.length === 1) return single[wanted[0] as string] ?? null;
    if (wanted.length > 1) return Object.fromEntries(wanted.map((k) => [k, single[k] ?? null]));
    const addressEntry: { [key: string]: Printable } = { hostname: '', value: address, cidr: machine.cidr };
    const bind: { [key: string]: Printable } = { 'mac-address': macFor(address), 'interface-name': 'eth0', addresses: [addressEntry] };
    if (format !== 'json') {
      // yaml.v2 output keeps the old agents' spellings too
      addressEntry.address = address;
      bind.macaddress = bind['mac-address'] ?? '';
      bind.interfacename = 'eth0';
    }
    return { 'bind-addresses': [bind], 'egress-subnets': egress, 'ingress-addresses': [address] };
  },
};

export const isLeader: ToolDef = {
  name: 'is-leader',
  usage: '',
  purpose: 'Print application leadership status.',
  flags: [],
  formats,
  init(parsed) {
    checkNoMoreArgs(parsed.positionals);
  },
  run(ctx) {
    return ctx.isLeader();
  },
};
