// What the unit agent needs from a machine: make one, run a process on it, tear it down.
// namespace.ts implements it with a network namespace, a private mount view and a real LXD daemon;
// local.ts runs processes straight on the host (for fast tests of the agent that need no isolation).

import type { LoopDeviceRecord, MachineRecord } from '../model/types';
import type { BootReport } from './boot';
import type { MachineNodejs } from './node-shape';

export interface MachineOptions {
  /** model name: namespaces, bridge and files are named after it so leftovers can be found */
  modelName: string;
  /** the model's directory on the host; a machine keeps its private files under `<modelDir>/machines/<id>` */
  modelDir: string;
  id: string;
  /** sparse loop files attached as block devices */
  loopDevices: number;
  loopSizeGiB: number;
  /** start a real LXD daemon on the machine */
  lxd: boolean;
  /** deb (default): Debian's lxd as it is; snap: a snap-shaped machine (machines/snap-flavour.ts) */
  lxdPackaging?: 'deb' | 'snap';
  /** snap-shaped machines: the snapd version modelled (default DEFAULT_SNAPD_VERSION) */
  snapdVersion?: string;
  /** the machine's Node.js and its archive's (machines/node-shape.ts); default: the host's node and apt */
  nodejs?: MachineNodejs;
}

export interface RunRequest {
  argv: string[];
  /** the complete environment: nothing is inherited (Juju builds hook environments from scratch) */
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
  /** run as this user of the machine instead of root (e.g. "nova") */
  user?: string;
  /** called with each chunk of output as it arrives (for logs and progress) */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  timeoutMs?: number;
  /** aborting it SIGKILLs the process and everything in its process group (a hook killed mid-way) */
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number; // a signal-killed process reports 128 + signal number
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface MachineBackend {
  readonly kind: MachineRecord['backend'];
  /** Checks (and where possible installs) what this backend needs; throws a clear Error otherwise. */
  ensurePrerequisites(): Promise<void>;
  create(opts: MachineOptions): Promise<MachineRecord>;
  run(machine: MachineRecord, req: RunRequest): Promise<RunResult>;
  /** Stops daemons (by pid), detaches loop devices, removes volume groups and namespaces. Idempotent. */
  destroy(machine: MachineRecord): Promise<void>;
  /** Removes leftovers of an earlier crashed run of a model of this name (namespaces, bridge, loops, daemons). */
  cleanupLeftovers(modelName: string, modelDir: string): Promise<void>;
  /**
   * Moves the machine to another address on its subnet (already validated and free), keeping its
   * routes; returns the updated record. Optional: a backend without it cannot re-address machines.
   */
  changeAddress?(machine: MachineRecord, address: string): Promise<MachineRecord>;
  /**
   * Juju storage: a sparse file of `sizeBytes` named `fileName` attached as a loop device the machine's
   * LVM sees (kept in the record's loopDevices, so teardown detaches it). Optional, like changeAddress.
   */
  attachStorage?(machine: MachineRecord, fileName: string, sizeBytes: number): Promise<{ machine: MachineRecord; loop: LoopDeviceRecord }>;
  /** Detaches one storage loop device and removes its file. */
  detachStorage?(machine: MachineRecord, device: string): Promise<MachineRecord>;
  /**
   * Reboots the machine as a real one would (boot.ts): everything stops, then its init system's
   * enabled units and its LXD start again. Returns the updated record. Optional.
   */
  reboot?(machine: MachineRecord): Promise<{ machine: MachineRecord; report: BootReport }>;
}
