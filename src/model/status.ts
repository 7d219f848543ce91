// The one status a hook reports, from what converge learnt: blocked reasons win, then the ready summary.
import type { WorkloadStatus } from '../juju/hook-tools';
import type { Network, ServerInfo } from '../lxd/lxd-api';
import { EXTENSION_CERTIFICATE_TOKEN, supportsTrustPassword } from '../lxd/lxd-api';
import type { DesiredHost } from './desired';

const MAX_REASON = 300;
/** One line, whatever the tools printed: each reason squeezed and cut, all of them joined. */
export const blocked = (reasons: readonly string[]): WorkloadStatus => ({
  status: 'blocked',
  message: reasons.map((r) => r.replace(/\s+/g, ' ').trim()).map((r) => (r.length > MAX_REASON ? `${r.slice(0, MAX_REASON)}…` : r)).join('; '),
});

/** Which ways in this LXD offers to a new remote. */
export function trustMethods(server: ServerInfo): string[] {
  const methods: string[] = [];
  if (supportsTrustPassword(server)) methods.push('password');
  if (server.apiExtensions.includes(EXTENSION_CERTIFICATE_TOKEN)) methods.push('token');
  return methods;
}

export function readyStatus(want: DesiredHost, server: ServerInfo, networks: readonly Network[], deviceCount: number): WorkloadStatus {
  const bridge = networks.find((n) => n.name === want.bridge.name);
  const v4 = bridge?.config['ipv4.address'];
  const v6 = bridge?.config['ipv6.address'];
  const addresses = [v4, v6].filter((a): a is string => !!a && a !== 'none').join(' ');
  const backing = deviceCount > 0 ? ` on ${deviceCount} device${deviceCount === 1 ? '' : 's'}` : '';
  const listening = server.addresses.length > 0 ? server.addresses.join(' ') : want.httpsAddress;
  const trust = trustMethods(server);
  return {
    status: 'active',
    message: `Unit is ready (${want.pool.driver} pool ${want.pool.name}${backing}, bridge ${want.bridge.name}${addresses ? ` ${addresses}` : ''}, listening ${listening}, trust: ${trust.join('+') || 'none'})`,
  };
}
