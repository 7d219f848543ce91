// A namespace machine reboots as a real one would: everything running stops (LXD first, with
// `lxd shutdown`, so its instances stop cleanly), volume groups go inactive, the loop devices software
// on the machine attached are gone (its disks, the emulator's loop devices, stay: they are its
// hardware), then the init system starts the machine's enabled units, udev's LVM autoactivation
// runs, and LXD starts. Units ordered After= LXD start after it.

import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { MachineRecord } from '../model/types';
import { ROOT_ENV, tryRun } from './command';
import { enterArgv, handlesOf } from './enter';
import { loopDevicesBackedUnder } from './loop-devices';
import { startLxd, stopLxd } from './lxd-daemon';
import { namespaceId, pidsInNamespaces, terminate } from './processes';
import { LXD_UNITS, serviceStateDirOf, shimSettings } from './service-shim';
import { SNAP_LXD_UNITS } from './snap-flavour';
import { runInMachine } from './exec-in-machine';

export interface BootReport {
  /** the machine's own enabled units the init system started, in order */
  started: string[];
  /** units that failed to start (the boot goes on, as systemd's does) */
  failed: Array<{ unit: string; error: string }>;
  /** loop devices that did not survive the reboot (software on the machine had attached them) */
  detachedLoops: string[];
  /** whether the machine's LXD daemon was started again */
  lxdStarted: boolean;
}

/** Enabled units of the machine's own /etc: names linked from a *.wants directory it wrote. */
export async function enabledOwnUnits(ownUnitDir: string): Promise<string[]> {
  const entries = await readdir(ownUnitDir, { withFileTypes: true }).catch(() => []);
  const units = new Set<string>();
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.endsWith('.wants')) continue;
    for (const name of await readdir(path.join(ownUnitDir, entry.name)).catch(() => [])) units.add(name);
  }
  return [...units].filter((u) => !([...LXD_UNITS, ...SNAP_LXD_UNITS] as readonly string[]).includes(u)).sort();
}

/** the names a unit file lists under one ordering key (After= or Before=), every line of it */
function ordering(unitFile: string, key: 'After' | 'Before'): string[] {
  const pattern = new RegExp(`^\\s*${key}\\s*=\\s*(.*)$`);
  return unitFile.split('\n').flatMap((l) => pattern.exec(l)?.[1]?.split(/\s+/).filter(Boolean) ?? []);
}

/** Whether a unit file orders itself after LXD (After= one of its units, deb or snap); the others start before LXD does. */
export function startsAfterLxd(unitFile: string): boolean {
  const after = ordering(unitFile, 'After');
  return [...LXD_UNITS, ...SNAP_LXD_UNITS].some((u) => after.includes(u));
}

/**
 * The units in the order systemd would start them: a unit ordered Before= another (or the other
 * After= it) comes first; otherwise by name, as the init system's queue has no other order. A cycle
 * (systemd breaks it by dropping a job) keeps the names' order for what is left.
 */
export function bootOrder(units: readonly string[], text: ReadonlyMap<string, string>): string[] {
  const sorted = [...units].sort();
  const after = new Map(sorted.map((u) => [u, new Set<string>()]));
  for (const u of sorted) {
    const file = text.get(u) ?? '';
    for (const other of ordering(file, 'After')) if (after.has(other) && other !== u) after.get(u)?.add(other);
    for (const other of ordering(file, 'Before')) if (after.has(other) && other !== u) after.get(other)?.add(u);
  }
  const order: string[] = [];
  while (order.length < sorted.length) {
    const ready = sorted.find((u) => !order.includes(u) && [...(after.get(u) ?? [])].every((dep) => order.includes(dep)));
    order.push(ready ?? sorted.find((u) => !order.includes(u)) ?? '');
  }
  return order;
}

export async function rebootNamespaceMachine(machine: MachineRecord): Promise<{ machine: MachineRecord; report: BootReport }> {
  const h = handlesOf(machine);
  const mntId = await namespaceId('mnt', h.mntNs);
  const netId = await namespaceId('net', h.netnsPath);
  if (mntId === null || netId === null) throw new Error(`machine ${machine.id} has no namespaces (was it destroyed?)`);
  const enter = enterArgv(h);
  const hadLxd = machine.lxdPid !== null;
  // power off: LXD shuts its instances down, then everything else on the machine goes
  await stopLxd(machine);
  await terminate(await pidsInNamespaces([mntId, netId]));
  await tryRun([...enter, 'vgchange', '-an'], { env: { ...ROOT_ENV } });
  const detachedLoops = await loopDevicesBackedUnder(Object.values(machine.mounts));
  for (const device of detachedLoops) await tryRun(['losetup', '-d', device]);
  await rm(serviceStateDirOf(h.machineDir), { recursive: true, force: true });

  // boot: the init system's units, LVM autoactivation (udev's pvscan), LXD, the units after it
  const report: BootReport = { started: [], failed: [], detachedLoops, lxdStarted: false };
  const ownDir = shimSettings(h.machineDir, '/usr/bin/lxd').ownUnitDir;
  const units = await enabledOwnUnits(ownDir);
  const text = new Map<string, string>();
  for (const unit of units) text.set(unit, await readFile(path.join(ownDir, unit), 'utf8').catch(() => ''));
  const ordered = bootOrder(units, text);
  const early = ordered.filter((u) => !startsAfterLxd(text.get(u) ?? ''));
  const late = ordered.filter((u) => startsAfterLxd(text.get(u) ?? ''));
  const start = async (unit: string) => {
    const res = await runInMachine(machine, { argv: ['systemctl', 'start', unit], env: { ...ROOT_ENV }, cwd: '/', timeoutMs: 120_000 });
    if (res.exitCode === 0) report.started.push(unit);
    else report.failed.push({ unit, error: (res.stderr || res.stdout).trim() || `exit status ${res.exitCode}` });
  };
  for (const unit of early) await start(unit);
  await tryRun([...enter, 'vgchange', '-aay'], { env: { ...ROOT_ENV } });
  let updated: MachineRecord = { ...machine, lxdPid: null };
  if (hadLxd) {
    updated = { ...updated, lxdPid: await startLxd(updated) };
    report.lxdStarted = true;
  }
  for (const unit of late) await start(unit);
  return { machine: updated, report };
}
