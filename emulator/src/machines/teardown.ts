// Removes one machine and everything it made, in an order that works after a crash too: processes
// (by pid), volume groups on its loop devices, namespaces, veth, loop devices, files. Idempotent.

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { MachineRecord } from '../model/types';
import { run, tryRun } from './command';
import { enterArgv, handlesOf } from './enter';
import { detachLoopDevices, loopDevicesBackedUnder } from './loop-devices';
import { stopLxd } from './lxd-daemon';
import { mountsUnder, removeMountView } from './mount-view';
import { namespaceId, pidsInNamespaces, terminate } from './processes';

async function removeVolumeGroups(machine: MachineRecord, devices: readonly string[]): Promise<void> {
  const enter = enterArgv(handlesOf(machine));
  for (const device of devices) {
    const pv = await tryRun([...enter, 'pvs', '--noheadings', '-o', 'vg_name', device]);
    if (pv.exitCode !== 0) continue; // no PV on it (or not visible to this machine)
    const vg = pv.stdout.trim();
    if (vg !== '') await tryRun([...enter, 'vgremove', '-f', '-y', vg]);
    await tryRun([...enter, 'pvremove', '-ff', '-y', device]);
  }
}

export async function teardownMachine(machine: MachineRecord): Promise<void> {
  const h = handlesOf(machine);
  const mntId = await namespaceId('mnt', h.mntNs);
  const netId = await namespaceId('net', h.netnsPath);
  if (mntId !== null) await stopLxd(machine);
  else if (machine.lxdPid !== null) await stopLxd(machine); // checks ownership by the pid's mount table
  const ids = [mntId, netId].filter((x): x is string => x !== null);
  await terminate(await pidsInNamespaces(ids));
  // Loop devices attached from inside the machine (a charm's loop files) go too, with their VGs.
  const machineLoops = await loopDevicesBackedUnder(Object.values(machine.mounts));
  if (mntId !== null && netId !== null) {
    await removeVolumeGroups(machine, [...machine.loopDevices.map((l) => l.device), ...machineLoops]);
  }
  for (const device of machineLoops) await tryRun(['losetup', '-d', device]);
  await removeMountView(h.machineDir);
  if (existsSync(h.netnsPath)) await run(['ip', 'netns', 'del', h.netns]);
  if ((await tryRun(['ip', 'link', 'show', 'dev', h.hostVeth])).exitCode === 0) {
    await tryRun(['ip', 'link', 'del', h.hostVeth]);
  }
  await detachLoopDevices(machine.loopDevices);
  const stillMounted = await mountsUnder(h.machineDir);
  if (stillMounted.length > 0) {
    throw new Error(`machine ${machine.id}: cannot remove ${h.machineDir}, still mounted: ${stillMounted.join(', ')}`);
  }
  await rm(h.machineDir, { recursive: true, force: true });
}
