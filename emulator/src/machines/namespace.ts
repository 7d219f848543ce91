// NamespaceMachines: each machine is a network namespace on the model's bridge, a persistent private
// mount view (own /etc overlay, /var/lib/lxd, /root, /home, …), its own hostname, loop devices only
// its LVM can see, and a real LXD daemon.

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoopDeviceRecord, MachineRecord } from '../model/types';
import type { MachineBackend, MachineOptions, RunRequest, RunResult } from './machine-backend';
import { run } from './command';
import { handlesOf } from './enter';
import { runInMachine } from './exec-in-machine';
import { bridgePorts, destroyModelNetwork, ensureModelNetwork, withModelLock } from './host-bridge';
import { cleanupModelLeftovers } from './leftovers';
import { rebootNamespaceMachine, type BootReport } from './boot';
import { attachLoopDevices, attachLoopFile, detachLoopDevices } from './loop-devices';
import { devicesFile, editDevicesFile, LVM_LOCAL_CONF } from './lvm-isolation';
import { startLxd } from './lxd-daemon';
import { createMountView, mountViewPaths, seedEtc } from './mount-view';
import { namespaceMachineRecord } from './machine-record';
import { netnsName, validateMachineId, validateModelName } from './naming';
import { ensureNamespacePrerequisites } from './prerequisites';
import { readdressNamespaceMachine } from './readdress';
import { applyNodeShape } from './node-shape';
import { installServiceShim } from './service-shim';
import { DEFAULT_LXD_CHANNEL, DEFAULT_SNAPD_VERSION, initialSnapdState, SNAP_LXD_DIR, UBUNTU_OS_RELEASE } from './snap-flavour';
import { machineAddress } from './subnet';
import { teardownMachine } from './teardown';

export { destroyModelNetwork } from './host-bridge';
export { startLxd, stopLxd } from './lxd-daemon';

/** where a machine keeps its private files */
export function machineDirOf(modelDir: string, id: string): string {
  return path.join(path.resolve(modelDir), 'machines', id);
}

export const MACHINE_RECORD_FILE = 'machine.json';

export class NamespaceMachines implements MachineBackend {
  readonly kind = 'namespace' as const;

  ensurePrerequisites(): Promise<void> {
    return ensureNamespacePrerequisites();
  }

  async create(opts: MachineOptions): Promise<MachineRecord> {
    validateModelName(opts.modelName);
    validateMachineId(opts.id);
    await this.ensurePrerequisites();
    const machineDir = machineDirOf(opts.modelDir, opts.id);
    const netns = netnsName(opts.modelName, opts.id);
    if (existsSync(machineDir) || existsSync(`/run/netns/${netns}`)) {
      throw new Error(
        `machine ${opts.id} of model ${opts.modelName} already exists (${machineDir}); destroy it or run cleanupLeftovers`,
      );
    }
    await mkdir(machineDir, { recursive: true });
    const packaging = opts.lxdPackaging ?? 'deb';
    const paths = mountViewPaths(machineDir, packaging);
    const machine = namespaceMachineRecord(opts.modelName, opts.id, machineDir, packaging);
    const { hostname } = machine;
    try {
      await withModelLock(opts.modelName, async () => {
        const network = await ensureModelNetwork(opts.modelName);
        machine.cidr = network.cidr;
        machine.address = machineAddress(network.cidr, opts.id);
        machine.handles.bridge = network.bridge;
        await this.plugIntoBridge(machine, network.gateway);
      });
      machine.loopDevices = await attachLoopDevices(path.join(machineDir, 'disks'), opts.loopDevices, opts.loopSizeGiB);
      await seedEtc(paths, hostname, {
        'lvm/lvmlocal.conf': LVM_LOCAL_CONF,
        'lvm/devices/system.devices': devicesFile(machine.loopDevices),
        // a snap-shaped machine is an Ubuntu host (every base the charm declares ships LXD as the snap)
        ...(packaging === 'snap' ? { 'os-release': UBUNTU_OS_RELEASE } : {}),
      });
      if (packaging === 'snap') await this.seedSnapd(paths.mounts, opts);
      await createMountView(paths, `/run/netns/${netns}`, hostname);
      await installServiceShim(machine); // systemctl for the machine's LXD (no init system here)
      if (opts.nodejs) await applyNodeShape(machine, opts.nodejs);
      if (opts.lxd) machine.lxdPid = await startLxd(machine);
      await writeFile(path.join(machineDir, MACHINE_RECORD_FILE), JSON.stringify(machine, null, 2));
    } catch (err) {
      await this.destroy(machine).catch(() => undefined);
      throw err;
    }
    return machine;
  }

  /** snapd's state (the lxd snap installed, when the machine has LXD) and the snap's data directory */
  private async seedSnapd(mounts: Record<string, string>, opts: MachineOptions): Promise<void> {
    const snapdDir = mounts['/var/lib/snapd'];
    const varSnap = mounts['/var/snap'];
    if (snapdDir === undefined || varSnap === undefined) throw new Error('snap-shaped machine without /var/lib/snapd or /var/snap');
    const files = initialSnapdState({ snapdVersion: opts.snapdVersion ?? DEFAULT_SNAPD_VERSION, lxdChannel: opts.lxd ? DEFAULT_LXD_CHANNEL : null });
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(snapdDir, rel)), { recursive: true });
      await writeFile(path.join(snapdDir, rel), content);
    }
    await mkdir(path.join(varSnap, path.relative('/var/snap', SNAP_LXD_DIR), 'logs'), { recursive: true });
  }

  private async plugIntoBridge(machine: MachineRecord, gateway: string): Promise<void> {
    const { netns, hostVeth, bridge } = handlesOf(machine);
    await run(['ip', 'netns', 'add', netns]);
    await run(['ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await run(['ip', 'link', 'set', hostVeth, 'master', bridge, 'up']);
    const inNs = ['ip', '-n', netns];
    await run([...inNs, 'link', 'set', 'lo', 'up']);
    await run([...inNs, 'addr', 'add', `${machine.address}/24`, 'dev', 'eth0']);
    await run([...inNs, 'link', 'set', 'eth0', 'up']);
    await run([...inNs, 'route', 'add', 'default', 'via', gateway]);
  }

  run(machine: MachineRecord, req: RunRequest): Promise<RunResult> {
    return runInMachine(machine, req);
  }

  async destroy(machine: MachineRecord): Promise<void> {
    await teardownMachine(machine);
    const modelName = machine.handles.modelName;
    if (typeof modelName !== 'string') return;
    // the bridge goes with the model's last machine
    await withModelLock(modelName, async () => {
      if ((await bridgePorts(modelName)).length === 0) await destroyModelNetwork(modelName);
    });
  }

  cleanupLeftovers(modelName: string, modelDir: string): Promise<void> {
    return withModelLock(modelName, () => cleanupModelLeftovers(modelName, modelDir));
  }

  async reboot(machine: MachineRecord): Promise<{ machine: MachineRecord; report: BootReport }> {
    const rebooted = await rebootNamespaceMachine(machine);
    await writeFile(path.join(handlesOf(machine).machineDir, MACHINE_RECORD_FILE), JSON.stringify(rebooted.machine, null, 2));
    return rebooted;
  }

  async attachStorage(machine: MachineRecord, fileName: string, sizeBytes: number): Promise<{ machine: MachineRecord; loop: LoopDeviceRecord }> {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(fileName)) throw new Error(`invalid storage file name "${fileName}"`);
    const { machineDir } = handlesOf(machine);
    const loop = await attachLoopFile(path.join(machineDir, 'storage', fileName), sizeBytes);
    const updated = { ...machine, loopDevices: [...machine.loopDevices, loop] };
    await this.saveLoops(updated, { add: loop });
    return { machine: updated, loop };
  }

  async detachStorage(machine: MachineRecord, device: string): Promise<MachineRecord> {
    const leaving = machine.loopDevices.filter((l) => l.device === device);
    const updated = { ...machine, loopDevices: machine.loopDevices.filter((l) => l.device !== device) };
    await this.saveLoops(updated, { remove: device });
    await detachLoopDevices(leaving);
    return updated;
  }

  /** The machine's LVM sees exactly its loop devices (devices file in its /etc overlay); the record follows. */
  private async saveLoops(machine: MachineRecord, change: Parameters<typeof editDevicesFile>[1]): Promise<void> {
    const { machineDir } = handlesOf(machine);
    const file = path.join(machineDir, 'etc', 'upper', 'lvm', 'devices', 'system.devices');
    await writeFile(file, editDevicesFile(await readFile(file, 'utf8').catch(() => devicesFile([])), change));
    await writeFile(path.join(machineDir, MACHINE_RECORD_FILE), JSON.stringify(machine, null, 2));
  }

  async changeAddress(machine: MachineRecord, address: string): Promise<MachineRecord> {
    const modelName = String(machine.handles.modelName ?? '');
    const updated = await withModelLock(modelName, () => readdressNamespaceMachine(machine, address));
    const { machineDir } = handlesOf(machine);
    await writeFile(path.join(machineDir, MACHINE_RECORD_FILE), JSON.stringify(updated, null, 2));
    return updated;
  }
}

/** Reads a machine record written at creation (for tools that only have the model directory). */
export async function readMachineRecord(modelDir: string, id: string): Promise<MachineRecord> {
  return JSON.parse(await readFile(path.join(machineDirOf(modelDir, id), MACHINE_RECORD_FILE), 'utf8')) as MachineRecord;
}
