// argv prefix that puts a process into a machine's network, mount and UTS namespaces.

import type { MachineRecord } from '../model/types';

export const NSENTER = '/usr/bin/nsenter';

export interface NamespaceHandles {
  netns: string;
  netnsPath: string;
  mntNs: string;
  utsNs: string;
  machineDir: string;
  hostVeth: string;
  bridge: string;
}

export function handlesOf(machine: MachineRecord): NamespaceHandles {
  const h = machine.handles;
  const str = (key: keyof NamespaceHandles): string => {
    const v = h[key];
    if (typeof v !== 'string' || v === '') throw new Error(`machine ${machine.id} is not a namespace machine (no ${key})`);
    return v;
  };
  return {
    netns: str('netns'),
    netnsPath: str('netnsPath'),
    mntNs: str('mntNs'),
    utsNs: str('utsNs'),
    machineDir: str('machineDir'),
    hostVeth: str('hostVeth'),
    bridge: str('bridge'),
  };
}

/** `nsenter … --wdns=<cwd> --` ready to take the command. `--wdns` resolves cwd inside the machine's view. */
export function enterArgv(h: NamespaceHandles, cwd = '/'): string[] {
  return [NSENTER, `--net=${h.netnsPath}`, `--mount=${h.mntNs}`, `--uts=${h.utsNs}`, `--wdns=${cwd}`, '--'];
}
