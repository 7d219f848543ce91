// A minimal zip writer for .charm archives: deflated files, stored symlinks and directories, each
// entry carrying its unix mode (and file type) in the external attributes, which is where Juju's
// expander and Info-ZIP's unzip read it. Fixed timestamps make the same tree give the same bytes.
import { deflateRawSync } from 'node:zlib';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MSDOS_DIRECTORY = 0x10;
const VERSION_MADE_BY_UNIX = (3 << 8) | 30; // host unix, spec 3.0 (what Info-ZIP writes)
const VERSION_NEEDED = 20; // 2.0: deflate and directories
const FLAG_UTF8_NAMES = 0x0800;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data) {
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * @typedef {{ kind: 'file', path: string, mode: number, data: Buffer }
 *   | { kind: 'symlink', path: string, target: string }
 *   | { kind: 'directory', path: string, mode: number }} ZipEntry
 */

function encodeEntry(entry) {
  if (entry.kind === 'directory') {
    return { name: `${entry.path}/`, attrs: (S_IFDIR | entry.mode) * 0x10000 + MSDOS_DIRECTORY, method: 0, raw: Buffer.alloc(0) };
  }
  if (entry.kind === 'symlink') {
    return { name: entry.path, attrs: (S_IFLNK | 0o777) * 0x10000, method: 0, raw: Buffer.from(entry.target, 'utf8') };
  }
  return { name: entry.path, attrs: (S_IFREG | entry.mode) * 0x10000, method: 8, raw: entry.data };
}

/** Builds the whole archive in memory (a charm is a few hundred KiB). @param {ZipEntry[]} entries */
export function writeZip(entries) {
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const entry of entries) {
    const { name, attrs, method, raw } = encodeEntry(entry);
    const nameBytes = Buffer.from(name, 'utf8');
    const body = method === 8 ? deflateRawSync(raw, { level: 9 }) : raw;
    const crc = crc32(raw);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10); // time 00:00:00
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(FLAG_UTF8_NAMES, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(raw.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt16LE(0, 30); // extra
    header.writeUInt16LE(0, 32); // comment
    header.writeUInt16LE(0, 34); // disk
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(attrs >>> 0, 38);
    header.writeUInt32LE(offset, 42);

    chunks.push(local, nameBytes, body);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const centralSize = central.reduce((sum, chunk) => sum + chunk.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...chunks, ...central, end]);
}
