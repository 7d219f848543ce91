// Finds what a crashed earlier run of a model left on the host and removes it: namespaces named with
// the model's prefix, machine directories (their daemons, mounts and loop devices), stray loop
// devices backed by files under the model directory, and the model's bridge.

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineRecord } from '../model/types';
import { run } from './command';
import { destroyModelNetwork } from './host-bridge';
import { detachLoopDevices, loopDevicesUnder } from './loop-devices';
import { lxdPidFile } from './lxd-daemon';
import { namespaceMachineRecord } from './machine-record';
import { netnsPrefix, validateModelName } from './naming';
import { namespaceId, pidsInNamespaces, terminate } from './processes';
import { teardownMachine } from './teardown';

async function listDir(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** What we know of a machine from its directory and names alone (the record may never have been written). */
async function recoverRecord(modelName: string, modelDir: string, id: string): Promise<MachineRecord> {
  const machineDir = path.join(path.resolve(modelDir), 'machines', id);
  const saved = await readFile(path.join(machineDir, 'machine.json'), 'utf8')
    .then((t) => JSON.parse(t) as MachineRecord)
    .catch(() => null);
  const pidText = await readFile(lxdPidFile(machineDir), 'utf8').catch(() => '');
  return {
    ...namespaceMachineRecord(modelName, id, machineDir, saved?.lxdPackaging ?? 'deb'),
    address: saved?.address ?? '',
    cidr: saved?.cidr ?? '',
    loopDevices: await loopDevicesUnder(machineDir),
    lxdPid: saved?.lxdPid ?? (Number(pidText.trim()) || null),
  };
}

export async function cleanupModelLeftovers(modelName: string, modelDir: string): Promise<void> {
  validateModelName(modelName);
  const prefix = netnsPrefix(modelName);
  const ids = new Set<string>();
  for (const name of await listDir(path.join(path.resolve(modelDir), 'machines'))) {
    if (/^\d+$/.test(name)) ids.add(name);
  }
  for (const name of await listDir('/run/netns')) {
    const id = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    if (/^\d+$/.test(id)) ids.add(id);
  }
  const problems: string[] = [];
  for (const id of [...ids].sort()) {
    try {
      await teardownMachine(await recoverRecord(modelName, modelDir, id));
    } catch (err) {
      problems.push(`machine ${id}: ${(err as Error).message}`);
    }
  }
  // a netns whose directory is gone still may hold processes
  for (const name of await listDir('/run/netns')) {
    if (!name.startsWith(prefix)) continue;
    const netId = await namespaceId('net', `/run/netns/${name}`);
    if (netId) await terminate(await pidsInNamespaces([netId]));
    if (existsSync(`/run/netns/${name}`)) await run(['ip', 'netns', 'del', name]).catch(() => undefined);
  }
  await detachLoopDevices(await loopDevicesUnder(modelDir));
  await destroyModelNetwork(modelName);
  if (problems.length > 0) throw new Error(`cleanup of model ${modelName} left: ${problems.join('; ')}`);
}
