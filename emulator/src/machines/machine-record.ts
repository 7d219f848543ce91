// The record of a namespace machine before it has an address: every name and path it has follows from
// the model name, the machine id and its directory. create() fills in the rest; a crashed run's
// leftovers are found again from the same names.
import type { MachineRecord } from '../model/types';
import { mountViewPaths } from './mount-view';
import { bridgeName, hostVethName, machineHostname, netnsName } from './naming';
import type { LxdPackaging } from './snap-flavour';

export function namespaceMachineRecord(modelName: string, id: string, machineDir: string, packaging: LxdPackaging = 'deb'): MachineRecord {
  const paths = mountViewPaths(machineDir, packaging);
  const netns = netnsName(modelName, id);
  return {
    id,
    backend: 'namespace',
    hostname: machineHostname(modelName, id),
    address: '',
    cidr: '',
    // a snap-shaped machine's whole /var/lib is its own (loop files a charm makes there are found by it)
    mounts: paths.varLib === null ? paths.mounts : { ...paths.mounts, '/var/lib': paths.varLib },
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
    lxdPackaging: packaging,
  };
}
