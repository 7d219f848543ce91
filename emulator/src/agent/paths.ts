// Where a unit's agent files live: as the hook sees them (guest) and on the emulator host.
// On a namespace machine the guest path /var/lib/juju/... is a private mount of a host directory;
// a local machine has no mount view, so hooks see the host directories themselves.

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { MachineRecord } from '../model/types';

export interface UnitPaths {
  tag: string; // unit-lxd-0
  guestAgentDir: string;
  hostAgentDir: string;
  guestCharmDir: string;
  hostCharmDir: string;
  guestToolsDir: string;
  hostToolsDir: string;
  guestSocket: string;
  hostSocket: string;
  /** where the tool server listens: hostSocket, or a short path when hostSocket is too long for a unix socket */
  listenSocket: string;
}

// sun_path holds 108 bytes; longer socket paths cannot be bound or connected to
const MAX_SOCKET_PATH = 100;

function shortSocketPath(hostSocket: string): string {
  return `/run/juju-emulator/${createHash('sha256').update(hostSocket).digest('hex').slice(0, 20)}.sock`;
}

export function unitTag(unitName: string): string {
  return `unit-${unitName.replace('/', '-')}`;
}

export function toHost(machine: MachineRecord, guestPath: string): string {
  for (const [guest, host] of Object.entries(machine.mounts).sort((a, b) => b[0].length - a[0].length)) {
    if (guestPath === guest || guestPath.startsWith(`${guest}/`)) return path.join(host, guestPath.slice(guest.length));
  }
  throw new Error(`machine ${machine.id} has no private directory holding ${guestPath}`);
}

export function unitPaths(machine: MachineRecord, unitName: string): UnitPaths {
  const tag = unitTag(unitName);
  const guestRoot = '/var/lib/juju';
  const hostRoot = toHost(machine, guestRoot);
  const visibleRoot = machine.backend === 'local' ? hostRoot : guestRoot;
  const hostSocket = path.join(hostRoot, 'agents', tag, 'agent.socket');
  const listenSocket = hostSocket.length > MAX_SOCKET_PATH ? shortSocketPath(hostSocket) : hostSocket;
  // a namespace machine reaches a short listen path through a symlink at its own (short) guest path
  const guestSocket = machine.backend === 'local' ? listenSocket : path.join(guestRoot, 'agents', tag, 'agent.socket');
  return {
    tag,
    guestAgentDir: path.join(visibleRoot, 'agents', tag),
    hostAgentDir: path.join(hostRoot, 'agents', tag),
    guestCharmDir: path.join(visibleRoot, 'agents', tag, 'charm'),
    hostCharmDir: path.join(hostRoot, 'agents', tag, 'charm'),
    guestToolsDir: path.join(visibleRoot, 'tools', tag),
    hostToolsDir: path.join(hostRoot, 'tools', tag),
    guestSocket,
    hostSocket,
    listenSocket,
  };
}
