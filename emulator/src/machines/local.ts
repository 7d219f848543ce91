// LocalMachines: "machines" that are plain directories on the host; processes run directly on the
// host, as root, with exactly the given environment. No isolation: for fast tests of the agent.

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { MachineRecord } from '../model/types';
import type { MachineBackend, MachineOptions, RunRequest, RunResult } from './machine-backend';
import type { BootReport } from './boot';
import { spawnCollect } from './spawn-collect';

export class LocalMachines implements MachineBackend {
  readonly kind = 'local' as const;

  async ensurePrerequisites(): Promise<void> {
    // nothing to install: processes run on the host
  }

  async create(opts: MachineOptions): Promise<MachineRecord> {
    // no LXD daemon is started on a local machine (the `lxd` option is ignored): the host's is not ours to use
    if (opts.loopDevices > 0) throw new Error('local machines have no loop devices; use the namespace backend');
    if (opts.lxdPackaging === 'snap') throw new Error('local machines cannot be snap-shaped (they share the host); use the namespace backend');
    if (opts.nodejs) throw new Error('local machines have the host\'s Node.js (they share the host); use the namespace backend');
    const machineDir = path.join(path.resolve(opts.modelDir), 'machines', opts.id);
    const mounts: Record<string, string> = {};
    for (const guest of ['/var/lib/juju', '/var/log/juju']) {
      mounts[guest] = path.join(machineDir, 'fs', guest.slice(1).replace(/\//g, '-'));
      await mkdir(mounts[guest] as string, { recursive: true });
    }
    return {
      id: opts.id,
      backend: 'local',
      hostname: `local-${opts.id}`,
      address: '127.0.0.1',
      cidr: '127.0.0.0/8',
      mounts,
      handles: { machineDir },
      loopDevices: [],
      lxdPid: null,
    };
  }

  run(machine: MachineRecord, req: RunRequest): Promise<RunResult> {
    const [file, ...args] = req.argv;
    if (file === undefined) return Promise.reject(new Error('run: empty argv'));
    const argv: [string, string[]] = req.user && req.user !== 'root' ? ['runuser', ['-u', req.user, '--', file, ...args]] : [file, args];
    return spawnCollect(argv[0], argv[1], { env: req.env, cwd: req.cwd, stdin: req.stdin, timeoutMs: req.timeoutMs, onStdout: req.onStdout, onStderr: req.onStderr, signal: req.signal, notStarted: 'exit-126' });
  }

  async destroy(machine: MachineRecord): Promise<void> {
    const dir = machine.handles.machineDir;
    if (typeof dir === 'string') await rm(dir, { recursive: true, force: true });
  }

  /** Every 127.0.0.0/8 address already reaches the host's loopback: only the record changes. */
  async changeAddress(machine: MachineRecord, address: string): Promise<MachineRecord> {
    if (!address.startsWith('127.')) throw new Error(`local machines live on 127.0.0.0/8, not ${address}`);
    return { ...machine, address };
  }

  /** Nothing runs on a local machine but its hooks (no daemon, no units of its own): only the record stays. */
  async reboot(machine: MachineRecord): Promise<{ machine: MachineRecord; report: BootReport }> {
    return { machine, report: { started: [], failed: [], detachedLoops: [], lxdStarted: false } };
  }

  async cleanupLeftovers(_modelName: string, modelDir: string): Promise<void> {
    await rm(path.join(modelDir, 'machines'), { recursive: true, force: true });
  }
}
