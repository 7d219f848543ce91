// Sparse loop files attached as block devices; found again by their backing file after a crash.

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LoopDeviceRecord } from '../model/types';
import { run, tryRun } from './command';

interface LosetupJson {
  loopdevices?: Array<{ name?: string; 'back-file'?: string | null }>;
}

const GIB = 1024 ** 3;

/** Creates `count` sparse files of `sizeGiB` under `dir` and attaches each to a free loop device. */
export async function attachLoopDevices(dir: string, count: number, sizeGiB: number): Promise<LoopDeviceRecord[]> {
  if (!Number.isInteger(count) || count < 0 || count > 16) throw new Error(`loop device count must be 0-16, got ${count}`);
  if (!(sizeGiB > 0 && sizeGiB <= 1024)) throw new Error(`loop size must be in (0, 1024] GiB, got ${sizeGiB}`);
  await mkdir(dir, { recursive: true });
  const records: LoopDeviceRecord[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const file = path.join(dir, `disk${i}.img`);
      const sizeBytes = Math.round(sizeGiB * GIB);
      await run(['truncate', '-s', String(sizeBytes), file]);
      const device = (await run(['losetup', '--find', '--show', file])).stdout.trim();
      records.push({ file, device, sizeBytes });
    }
  } catch (err) {
    await detachLoopDevices(records);
    throw err;
  }
  return records;
}

/** One sparse file of `sizeBytes` at `file`, attached to a free loop device. */
export async function attachLoopFile(file: string, sizeBytes: number): Promise<LoopDeviceRecord> {
  if (!(sizeBytes > 0 && sizeBytes <= 1024 * GIB)) throw new Error(`loop size must be in (0, 1024] GiB, got ${sizeBytes} bytes`);
  await mkdir(path.dirname(file), { recursive: true });
  await run(['truncate', '-s', String(sizeBytes), file]);
  try {
    const device = (await run(['losetup', '--find', '--show', file])).stdout.trim();
    return { file, device, sizeBytes };
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

/** Attached loop devices as device → backing file. */
export async function listLoopDevices(): Promise<Map<string, string>> {
  const res = await tryRun(['losetup', '-J', '-l']);
  const parsed = JSON.parse(res.stdout.trim() || '{}') as LosetupJson;
  const map = new Map<string, string>();
  for (const d of parsed.loopdevices ?? []) {
    if (d.name && d['back-file']) map.set(d.name, d['back-file'].replace(/ \(deleted\)$/, ''));
  }
  return map;
}

/** Loop devices whose backing file lies under `dir`. */
export async function loopDevicesUnder(dir: string): Promise<LoopDeviceRecord[]> {
  const prefix = path.resolve(dir) + path.sep;
  const found: LoopDeviceRecord[] = [];
  for (const [device, file] of await listLoopDevices()) {
    if (file.startsWith(prefix)) found.push({ device, file, sizeBytes: 0 });
  }
  return found;
}

/** Detaches each device still backed by its recorded file (a reused /dev/loopN of someone else is left alone); removes the files. */
export async function detachLoopDevices(records: readonly LoopDeviceRecord[]): Promise<void> {
  const attached = await listLoopDevices();
  for (const rec of records) {
    if (attached.get(rec.device) === rec.file) await run(['losetup', '-d', rec.device]);
    await rm(rec.file, { force: true });
  }
}

// Linux's dev_t encoding, as stat(2) reports st_dev, from losetup's "major:minor".
function devNumber(majorMinor: string): bigint | null {
  const m = /^\s*(\d+):(\d+)\s*$/.exec(majorMinor);
  if (!m) return null;
  const major = BigInt(m[1] ?? '0');
  const minor = BigInt(m[2] ?? '0');
  return (minor & 0xffn) | ((major & 0xfffn) << 8n) | ((minor & ~0xffn) << 12n) | ((major & ~0xfffn) << 32n);
}

/**
 * Loop devices that software on the machine attached itself (a charm's `path|size` loop files),
 * found by the inode of their backing file under the machine's private directories: inside the
 * machine the path is e.g. /var/lib/lxd/disks/x.img, which names nothing on the host.
 */
export async function loopDevicesBackedUnder(hostDirs: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const dir of hostDirs) {
    const res = await tryRun(['find', dir, '-xdev', '-type', 'f', '-size', '+1M', '-printf', '%D:%i\n']);
    for (const line of res.stdout.split('\n')) if (line.trim()) files.add(line.trim());
  }
  if (files.size === 0) return [];
  const res = await tryRun(['losetup', '--list', '--json', '--output', 'NAME,BACK-INO,BACK-MAJ:MIN']);
  const parsed = JSON.parse(res.stdout.trim() || '{}') as { loopdevices?: Array<Record<string, string | number | null>> };
  const found: string[] = [];
  for (const d of parsed.loopdevices ?? []) {
    const dev = devNumber(String(d['back-maj:min'] ?? ''));
    if (typeof d.name === 'string' && dev !== null && files.has(`${dev}:${String(d['back-ino'])}`)) found.push(d.name);
  }
  return found;
}
