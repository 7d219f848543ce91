// Reads a zip the way Juju's charm expander does: from the central directory, taking each entry's
// unix mode and file type from the high 16 bits of its external attributes. No process is spawned.
import { inflateRawSync } from 'node:zlib';
import { mkdirSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ZipEntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface ZipEntry {
  readonly name: string; // without a trailing "/"
  readonly kind: ZipEntryKind;
  readonly mode: number; // permission bits, e.g. 0o755
  readonly madeOnUnix: boolean;
  readonly data: Buffer; // file content, or the target of a symlink
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

function kindOf(unixMode: number, name: string): ZipEntryKind {
  switch (unixMode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'directory';
    case 0o120000: return 'symlink';
    case 0: return name.endsWith('/') ? 'directory' : 'file'; // no unix type recorded
    default: return 'other';
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at -= 1) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new Error('not a zip archive: no end-of-central-directory record');
}

function entryData(zip: Buffer, localOffset: number, method: number, compressedSize: number): Buffer {
  if (zip.readUInt32LE(localOffset) !== LOCAL_HEADER) throw new Error(`bad local header at ${localOffset}`);
  const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
  const raw = zip.subarray(start, start + compressedSize);
  if (method === 0) return Buffer.from(raw);
  if (method === 8) return inflateRawSync(raw);
  throw new Error(`unsupported compression method ${method}`);
}

export function readZip(zip: Buffer): ZipEntry[] {
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error(`bad central directory header at ${at}`);
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const externalAttributes = zip.readUInt32LE(at + 38);
    const localOffset = zip.readUInt32LE(at + 42);
    const rawName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const unixMode = madeBy === 3 ? externalAttributes >>> 16 : 0;
    entries.push({
      name: rawName.replace(/\/$/, ''),
      kind: kindOf(unixMode, rawName),
      mode: unixMode & 0o7777,
      madeOnUnix: madeBy === 3,
      data: entryData(zip, localOffset, method, compressedSize),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Writes the entries under `dir`, keeping modes and symlinks (the caller checks names first). */
export function extractZip(entries: readonly ZipEntry[], dir: string): void {
  for (const entry of entries) {
    const path = join(dir, entry.name);
    mkdirSync(entry.kind === 'directory' ? path : dirname(path), { recursive: true });
    if (entry.kind === 'file') {
      writeFileSync(path, entry.data);
      chmodSync(path, entry.mode);
    } else if (entry.kind === 'symlink') {
      symlinkSync(entry.data.toString('utf8'), path);
    } else if (entry.kind === 'directory') {
      chmodSync(path, entry.mode || 0o755);
    }
  }
}
