// Plain-data model builders for the hook-tool tests: two apps (`lxd` with a peer relation and a
// non-peer relation to `nova-compute`), three units on two machines, every relation entered.

import { HookContext } from '../../../src/tools/hook-context';
import { invokeTool, type ToolResponse } from '../../../src/tools/registry';
import type { ApplicationRecord, CharmInfo, HookEvent, LogLine, ModelState, RelationRecord, UnitRecord } from '../../../src/model/types';

export const NOW = new Date('2026-11-26T12:00:00.000Z');

function charm(name: string, endpoints: CharmInfo['meta']['endpoints'], config: CharmInfo['config'] = {}): CharmInfo {
  return { dir: `/charms/${name}`, source: name, revision: 1, meta: { name, summary: '', description: '', subordinate: false, endpoints }, config, actions: {} };
}

function app(name: string, info: CharmInfo, leader: string): ApplicationRecord {
  return {
    name,
    charm: info,
    config: {},
    leader,
    leaderSettings: {},
    status: null,
    nextUnitNumber: 2,
    machineOptions: { loopDevices: 0, loopSizeGiB: 1, lxd: false },
  };
}

function unit(name: string, machine: string): UnitRecord {
  const since = NOW.toISOString();
  return {
    name,
    app: name.slice(0, name.indexOf('/')),
    machine,
    principal: null,
    workloadStatus: { status: 'unknown', message: '', since },
    agentStatus: { status: 'idle', message: '', since },
    workloadVersion: '',
    state: {},
    ports: [],
    erroredEvent: null,
    queue: [],
    life: 'alive',
    statusEverSet: false,
    charmRevision: 1,
  };
}

function autoBag(address: string): Record<string, string> {
  return { 'private-address': address, 'ingress-address': address, 'egress-subnets': `${address}/32` };
}

export function buildModel(): ModelState {
  const lxdCharm = charm(
    'lxd',
    {
      'lxd-migration': { name: 'lxd-migration', role: 'peer', interface: 'lxd-migration', scope: 'global' },
      lxd: { name: 'lxd', role: 'provider', interface: 'containers', scope: 'global' },
    },
    {
      overwrite: { type: 'boolean', default: false },
      'storage-type': { type: 'string', default: 'btrfs' },
      'block-devices': { type: 'string', default: null },
      'pool-size': { type: 'int', default: 10 },
    },
  );
  const novaCharm = charm('nova-compute', { lxd: { name: 'lxd', role: 'requirer', interface: 'containers', scope: 'global' } });
  const peer: RelationRecord = {
    id: 0,
    key: 'lxd:lxd-migration',
    interface: 'lxd-migration',
    scope: 'global',
    endpoints: [{ app: 'lxd', endpoint: 'lxd-migration', role: 'peer' }],
    appBags: { lxd: { token: 'abc' } },
    unitBags: { 'lxd/0': autoBag('10.0.0.10'), 'lxd/1': { ...autoBag('10.0.0.11'), host: 'one' } },
    joined: { 'lxd/0': ['lxd/1'], 'lxd/1': ['lxd/0'] },
    created: ['lxd/0', 'lxd/1'],
    seenVersions: {},
    bagVersions: { 'lxd/0': 1, 'lxd/1': 1 },
    inScope: ['lxd/0', 'lxd/1'],
    life: 'alive',
  };
  const nova: RelationRecord = {
    id: 3,
    key: 'lxd:lxd nova-compute:lxd',
    interface: 'containers',
    scope: 'global',
    endpoints: [
      { app: 'lxd', endpoint: 'lxd', role: 'provider' },
      { app: 'nova-compute', endpoint: 'lxd', role: 'requirer' },
    ],
    appBags: { lxd: { secret: 'leader-only' }, 'nova-compute': { region: 'one' } },
    unitBags: { 'lxd/0': autoBag('10.0.0.10'), 'lxd/1': autoBag('10.0.0.11'), 'nova-compute/0': { ...autoBag('10.0.0.10'), user: 'nova' } },
    joined: { 'lxd/0': ['nova-compute/0'], 'lxd/1': [], 'nova-compute/0': ['lxd/0'] },
    created: ['lxd/0', 'lxd/1', 'nova-compute/0'],
    seenVersions: {},
    bagVersions: {},
    inScope: ['lxd/0', 'nova-compute/0'],
    life: 'alive',
  };
  const machine = (id: string, address: string) => ({
    id,
    backend: 'local' as const,
    hostname: `m${id}`,
    address,
    cidr: '10.0.0.0/24',
    mounts: {},
    handles: {},
    loopDevices: [],
    lxdPid: null,
  });
  return {
    name: 'test',
    uuid: '00000000-0000-4000-8000-000000000000',
    dir: '/tmp/none',
    machines: { '0': machine('0', '10.0.0.10'), '1': machine('1', '10.0.0.11') },
    applications: { lxd: app('lxd', lxdCharm, 'lxd/0'), 'nova-compute': app('nova-compute', novaCharm, 'nova-compute/0') },
    units: { 'lxd/0': unit('lxd/0', '0'), 'lxd/1': unit('lxd/1', '1'), 'nova-compute/0': unit('nova-compute/0', '0') },
    relations: { '0': peer, '3': nova },
    secrets: {},
    actions: {},
    counters: { machine: 2, relation: 4, action: 0 },
  };
}

export const INSTALL: HookEvent = { kind: 'hook', name: 'install' };

export function relationHook(name: string, relationId: number, remoteUnit: string, remoteApp: string): HookEvent {
  return { kind: 'hook', name, relationId, remoteUnit, remoteApp };
}

export interface Harness {
  ctx: HookContext;
  logs: LogLine[];
  run(tool: string, ...args: string[]): ToolResponse;
  runWith(io: { stdin?: string; files?: Record<string, string> }, tool: string, ...args: string[]): ToolResponse;
}

let counter = 0;

export function contextFor(state: ModelState, unitName: string, event: HookEvent = INSTALL): Harness {
  const logs: LogLine[] = [];
  counter += 1;
  const ctx = new HookContext({ state, unit: unitName, event, contextId: `${unitName}-ctx-${counter}`, log: (l) => logs.push(l), now: () => NOW });
  return {
    ctx,
    logs,
    run: (tool, ...args) => invokeTool(ctx, tool, args),
    runWith: (io, tool, ...args) => invokeTool(ctx, tool, args, io),
  };
}

/** Expects success and returns stdout. */
export function ok(response: ToolResponse): string {
  if (response.code !== 0) throw new Error(`expected success, got ${response.code}: ${response.stderr}`);
  expect(response.stderr).toBe('');
  return response.stdout;
}

export function err(response: ToolResponse): [number, string] {
  return [response.code, response.stderr];
}
