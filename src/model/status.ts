// The one status a hook reports, from what converge learnt: blocked reasons win, then the ready summary.
import type { WorkloadStatus } from '../juju/hook-tools';
import type { Network, PoolSpace, ServerInfo } from '../lxd/lxd-api';
import { EXTENSION_CERTIFICATE_TOKEN, supportsTrustPassword } from '../lxd/lxd-api';
import type { DesiredHost } from './desired';

const MAX_REASON = 300;
/** One line, whatever the tools printed: each reason squeezed and cut, all of them joined. */
export const blocked = (reasons: readonly string[]): WorkloadStatus => ({
  status: 'blocked',
  message: reasons.map((r) => r.replace(/\s+/g, ' ').trim()).map((r) => (r.length > MAX_REASON ? `${r.slice(0, MAX_REASON)}…` : r)).join('; '),
});

/** As OpenStack charms say it: the pause action stopped LXD, and every hook leaves it so until resume. */
export const PAUSED: WorkloadStatus = { status: 'maintenance', message: "Paused. Use 'resume' action to resume normal service." };

/** Which ways in this LXD offers to a new remote. */
export function trustMethods(server: ServerInfo): string[] {
  const methods: string[] = [];
  if (supportsTrustPassword(server)) methods.push('password');
  if (server.apiExtensions.includes(EXTENSION_CERTIFICATE_TOKEN)) methods.push('token');
  return methods;
}

/** "9.9 GiB", "512 MiB": the pool's size as an operator reads it */
export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

export function readyStatus(want: DesiredHost, server: ServerInfo, networks: readonly Network[], deviceCount: number, poolSpace: PoolSpace | null = null): WorkloadStatus {
  const bridge = networks.find((n) => n.name === want.bridge.name);
  const v4 = bridge?.config['ipv4.address'];
  const v6 = bridge?.config['ipv6.address'];
  const addresses = [v4, v6].filter((a): a is string => !!a && a !== 'none').join(' ');
  const backing = deviceCount > 0 ? ` on ${deviceCount} device${deviceCount === 1 ? '' : 's'}` : '';
  const listening = server.addresses.length > 0 ? server.addresses.join(' ') : (want.httpsAddress ?? 'nowhere yet');
  const trust = trustMethods(server);
  return {
    status: 'active',
    message: `Unit is ready (${want.pool.driver} pool ${want.pool.name}${poolSpace ? ` ${formatBytes(poolSpace.totalBytes)}` : ''}${backing}, bridge ${want.bridge.name}${addresses ? ` ${addresses}` : ''}, listening ${listening}, trust: ${trust.join('+') || 'none'})`,
  };
}

/** How the lxd-migration peers are wired after a hook (src/handlers/peers.ts). */
export interface PeerWiring {
  /** peers with a usable record (current or legacy) */
  readonly total: number;
  readonly wired: readonly string[];
  /** not wired yet (unreachable, a failed write): retried by the next hook, update-status at the latest */
  readonly waiting: ReadonlyArray<{ readonly unit: string; readonly reason: string }>;
  /** a user's own remote already has a peer's name: the operator must rename one */
  readonly conflicts: readonly string[];
  /** peers whose records were refused (the log names each field) */
  readonly refused: readonly string[];
}

const cut = (text: string, limit: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
};

/** The ready status with "N/M peers wired"; waiting while a peer is unreachable; blocked on a name conflict. */
export function withPeerWiring(status: WorkloadStatus, peers: PeerWiring | null): WorkloadStatus {
  if (status.status !== 'active' || peers === null) return status;
  const summary = `${peers.wired.length}/${peers.total} peers wired${peers.refused.length > 0 ? `, refused: ${peers.refused.join(' ')}` : ''}`;
  if (peers.conflicts.length > 0) return blocked([...peers.conflicts, summary]);
  if (peers.waiting.length > 0) {
    return { status: 'waiting', message: `${summary}; waiting for ${peers.waiting.map((w) => `${w.unit} (${cut(w.reason, 120)})`).join(', ')}` };
  }
  if (peers.total === 0 && peers.refused.length === 0) return status;
  return { status: 'active', message: status.message.endsWith(')') ? `${status.message.slice(0, -1)}, ${summary})` : `${status.message} (${summary})` };
}
