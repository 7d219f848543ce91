// The record of a namespace machine before it has an address: every name and path it has follows from
// the model name, the machine id and its directory. create() fills in the rest; a crashed run's
// leftovers are found again from the same names.
import type { MachineRecord } from '../model/types';
import { mountViewPaths } from './mount-view';
import { bridgeName, hostVethName, machineHostname, netnsName } from './naming';

export function namespaceMachineRecord(modelName: string, id: string, machineDir: string): MachineRecord {
  const paths = mountViewPaths(machineDir);
  const netns = netnsName(modelName, id);
  return {
    id,
    backend: 'namespace',
    hostname: machineHostname(modelName, id),
    address: '',
    cidr: '',
    mounts: paths.mounts,
    handles: {
      netns,
      netnsPath: `/run/netns/${netns}`,
      mntNs: paths.mntNs,
      utsNs: paths.utsNs,
      machineDir,
      hostVeth: hostVethName(modelName, id),
      bridge: bridgeName(modelName),
      modelName,
    },
    loopDevices: [],
    lxdPid: null,
  };
}
