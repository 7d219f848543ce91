// The machine's own LXD daemon (Debian's deb; no systemd here): started detached inside the machine's
// namespaces so it outlives the emulator process, waited for, and stopped by pid.

import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineRecord } from '../model/types';
import { ROOT_ENV, tryRun } from './command';
import { enterArgv, handlesOf } from './enter';
import { isAlive, namespaceId, terminate } from './processes';
import { SNAP_LXD_DIR, type LxdPackaging } from './snap-flavour';

const READY_TIMEOUT_S = 60;

export function lxdBinary(): string {
  const found = ['/usr/bin/lxd', '/usr/sbin/lxd'].find((p) => existsSync(p));
  if (!found) throw new Error('no lxd binary (/usr/bin/lxd or /usr/sbin/lxd): install the Debian package lxd');
  return found;
}

/** how LXD is packaged on this machine (records written before the snap flavour are deb) */
export const packagingOf = (machine: MachineRecord): LxdPackaging => machine.lxdPackaging ?? 'deb';

/** the daemon's environment: the snap's daemon.start sets LXD_DIR to its common data directory */
export const daemonEnvOf = (packaging: LxdPackaging): Record<string, string> =>
  packaging === 'snap' ? { ...ROOT_ENV, LXD_DIR: SNAP_LXD_DIR } : { ...ROOT_ENV };

export const daemonLogFile = (packaging: LxdPackaging): string =>
  packaging === 'snap' ? `${SNAP_LXD_DIR}/logs/lxd.log` : '/var/log/lxd/lxd.log';

export function lxdPidFile(machineDir: string): string {
  return path.join(machineDir, 'lxd.pid');
}

/**
 * Whether `pid` lives in this machine's mount view (so it is one of ours): its mount table shows the
 * machine's /etc overlay (overlay options carry absolute paths) or its private directories.
 */
export async function belongsToMachine(pid: number, machineDir: string): Promise<boolean> {
  try {
    const mountinfo = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
    return (
      mountinfo.includes(`upperdir=${path.join(machineDir, 'etc', 'upper')},`) ||
      mountinfo.includes(`${path.join(machineDir, 'fs')}/`)
    );
  } catch {
    return false;
  }
}

/** Starts the machine's LXD daemon and waits until it answers; returns its pid. */
export async function startLxd(machine: MachineRecord): Promise<number> {
  const h = handlesOf(machine);
  if (machine.lxdPid !== null && isAlive(machine.lxdPid) && (await belongsToMachine(machine.lxdPid, h.machineDir))) {
    return machine.lxdPid;
  }
  const logFile = path.join(h.machineDir, 'lxd.stdout.log');
  const out = openSync(logFile, 'a');
  const packaging = packagingOf(machine);
  const env = daemonEnvOf(packaging);
  const argv = [...enterArgv(h), lxdBinary(), '--group', 'lxd', '--logfile', daemonLogFile(packaging)];
  const [file, ...args] = argv as [string, ...string[]];
  // detached: its own session, so it keeps running after this process (and its terminal) go away
  const child = spawn(file, args, { detached: true, stdio: ['ignore', out, out], env });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start lxd on machine ${machine.id}`);
  let exited: string | null = null;
  child.on('exit', (code, sig) => (exited = `exit ${code ?? sig ?? '?'}`));
  child.unref();
  await writeFile(lxdPidFile(h.machineDir), `${pid}\n`);
  const ready = await tryRun([...enterArgv(h), lxdBinary(), 'waitready', `--timeout=${READY_TIMEOUT_S}`], {
    timeoutMs: (READY_TIMEOUT_S + 10) * 1000,
    env,
  });
  if (ready.exitCode !== 0 || exited !== null) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await terminate([pid], 2000);
    throw new Error(
      `lxd on machine ${machine.id} did not become ready (${exited ?? ready.stderr.trim()}): ${log.slice(-1500)}`,
    );
  }
  return pid;
}

/** Stops the machine's LXD daemon: `lxd shutdown` (stops its containers), then by pid. Idempotent. */
export async function stopLxd(machine: MachineRecord, timeoutS = 30): Promise<void> {
  const h = handlesOf(machine);
  const pidFromFile = Number((await readFile(lxdPidFile(h.machineDir), 'utf8').catch(() => '')).trim()) || null;
  const candidates = [...new Set([machine.lxdPid, pidFromFile])].filter((p): p is number => p !== null && isAlive(p));
  const ours: number[] = [];
  for (const pid of candidates) if (await belongsToMachine(pid, h.machineDir)) ours.push(pid);
  if (ours.length === 0) {
    await rm(lxdPidFile(h.machineDir), { force: true });
    return;
  }
  if ((await namespaceId('mnt', h.mntNs)) !== null) {
    await tryRun([...enterArgv(h), lxdBinary(), 'shutdown', `--timeout=${timeoutS}`], {
      timeoutMs: (timeoutS + 5) * 1000,
      env: daemonEnvOf(packagingOf(machine)),
    });
  }
  await terminate(ours, 5000);
  await rm(lxdPidFile(h.machineDir), { force: true });
}

