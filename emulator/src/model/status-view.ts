// `juju status` as data and as a table.

import { effectiveConfig } from './params';
import { byUnitNumber } from './topology';
import type { ModelState } from './types';

export interface UnitStatusView {
  workload: { status: string; message: string; since: string };
  agent: { status: string; message: string; since: string };
  machine: string;
  address: string;
  leader: boolean;
  version: string;
  subordinates: Record<string, UnitStatusView>;
  ports: string[];
}

export interface StatusView {
  model: { name: string; uuid: string };
  machines: Record<string, { hostname: string; address: string; backend: string; 'lxd-pid': number | null }>;
  applications: Record<
    string,
    {
      charm: string;
      revision: number;
      subordinate: boolean;
      status: { status: string; message: string };
      units: Record<string, UnitStatusView>;
      'subordinate-to': string[];
      config: Record<string, unknown>;
    }
  >;
  relations: Array<{ id: number; key: string; interface: string; scope: string }>;
}

function appStatus(state: ModelState, app: string): { status: string; message: string } {
  const record = state.applications[app];
  if (record?.status) return { status: record.status.status, message: record.status.message };
  // Juju shows the most significant unit status when the leader set none
  const order = ['error', 'blocked', 'maintenance', 'waiting', 'active', 'unknown'];
  const units = Object.values(state.units).filter((u) => u.app === app);
  units.sort((a, b) => order.indexOf(a.workloadStatus.status) - order.indexOf(b.workloadStatus.status));
  const worst = units[0];
  return worst ? { status: worst.workloadStatus.status, message: worst.workloadStatus.message } : { status: 'unknown', message: '' };
}

export function statusView(state: ModelState): StatusView {
  const unitView = (name: string): UnitStatusView => {
    const unit = state.units[name];
    if (!unit) throw new Error(`unit ${name} vanished`);
    const subordinates: Record<string, UnitStatusView> = {};
    for (const sub of Object.values(state.units).filter((u) => u.principal === name).sort((a, b) => a.name.localeCompare(b.name))) {
      subordinates[sub.name] = unitView(sub.name);
    }
    return {
      workload: { ...unit.workloadStatus },
      agent: { ...unit.agentStatus },
      machine: unit.machine,
      address: state.machines[unit.machine]?.address ?? '',
      leader: state.applications[unit.app]?.leader === name,
      version: unit.workloadVersion,
      subordinates,
      ports: unit.ports.map((p) => (p.from === p.to ? `${p.from}/${p.protocol}` : `${p.from}-${p.to}/${p.protocol}`)),
    };
  };
  const applications: StatusView['applications'] = {};
  for (const app of Object.values(state.applications).sort((a, b) => a.name.localeCompare(b.name))) {
    const units: Record<string, UnitStatusView> = {};
    if (!app.charm.meta.subordinate) {
      for (const unit of Object.values(state.units).filter((u) => u.app === app.name).sort((a, b) => byUnitNumber(a.name, b.name))) {
        units[unit.name] = unitView(unit.name);
      }
    }
    const principals = new Set<string>();
    for (const unit of Object.values(state.units)) {
      if (unit.app === app.name && unit.principal) principals.add(unit.principal.split('/')[0] ?? '');
    }
    applications[app.name] = {
      charm: app.charm.meta.name,
      revision: app.charm.revision,
      subordinate: app.charm.meta.subordinate,
      status: appStatus(state, app.name),
      units,
      'subordinate-to': [...principals].sort(),
      config: effectiveConfig(app.charm.config, app.config),
    };
  }
  const machines: StatusView['machines'] = {};
  for (const m of Object.values(state.machines).sort((a, b) => Number(a.id) - Number(b.id))) {
    machines[m.id] = { hostname: m.hostname, address: m.address, backend: m.backend, 'lxd-pid': m.lxdPid };
  }
  return {
    model: { name: state.name, uuid: state.uuid },
    machines,
    applications,
    relations: Object.values(state.relations)
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, key: r.key, interface: r.interface, scope: r.scope })),
  };
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2))).join('').trimEnd()).join('\n');
}

export function statusTable(view: StatusView): string {
  const sections: string[] = [`Model  ${view.model.name}`];
  const apps: string[][] = [['App', 'Version', 'Status', 'Charm', 'Rev', 'Units', 'Message']];
  const versionOf = (name: string) => {
    const all = Object.values(view.applications).flatMap((a) => Object.entries(a.units).flatMap(([n, u]) => [[n, u] as const, ...Object.entries(u.subordinates)]));
    return all.find(([n]) => n.split('/')[0] === name)?.[1].version ?? '';
  };
  const countUnits = (name: string) => {
    const app = view.applications[name];
    if (!app) return 0;
    if (!app.subordinate) return Object.keys(app.units).length;
    return Object.values(view.applications).reduce((n, a) => n + Object.values(a.units).reduce((m, u) => m + Object.keys(u.subordinates).filter((s) => s.startsWith(`${name}/`)).length, 0), 0);
  };
  for (const [name, app] of Object.entries(view.applications)) {
    apps.push([name, versionOf(name), app.status.status, app.charm, String(app.revision), String(countUnits(name)), app.status.message]);
  }
  sections.push(table(apps));
  const units: string[][] = [['Unit', 'Workload', 'Agent', 'Machine', 'Address', 'Ports', 'Message']];
  for (const app of Object.values(view.applications)) {
    for (const [name, unit] of Object.entries(app.units)) {
      const row = (n: string, u: UnitStatusView, indent: string) => [
        `${indent}${n}${u.leader ? '*' : ''}`,
        u.workload.status,
        u.agent.status,
        u.machine,
        u.address,
        u.ports.join(','),
        u.workload.message,
      ];
      units.push(row(name, unit, ''));
      for (const [subName, sub] of Object.entries(unit.subordinates)) units.push(row(subName, sub, '  '));
    }
  }
  sections.push(table(units));
  const machines: string[][] = [['Machine', 'State', 'Address', 'Inst id', 'Base', 'Message']];
  for (const [id, m] of Object.entries(view.machines)) {
    machines.push([id, 'started', m.address, m.hostname, m.backend === 'namespace' ? 'debian@12' : 'host', m['lxd-pid'] ? `lxd pid ${m['lxd-pid']}` : '']);
  }
  sections.push(table(machines));
  if (view.relations.length > 0) {
    const rels: string[][] = [['Integration provider', 'Requirer', 'Interface', 'Type']];
    for (const r of view.relations) {
      const [a, b] = r.key.split(' ');
      rels.push([a ?? '', b ?? a ?? '', r.interface, b ? (r.scope === 'container' ? 'subordinate' : 'regular') : 'peer']);
    }
    sections.push(table(rels));
  }
  return `${sections.join('\n\n')}\n`;
}
