// An .xz container holding its data in LZMA2 "uncompressed" chunks: what Python's lzma.decompress
// reads, so Grafana dashboards can travel as cos_agent expects (base64 of xz) without a compression
// library (the charm takes no new dependency). Dashboards are a few kilobytes; size is not the point.
const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const le32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const withCrc = (bytes: Buffer): Buffer => Buffer.concat([bytes, le32(crc32(bytes))]);
const pad4 = (length: number): Buffer => Buffer.alloc((4 - (length % 4)) % 4);

/** xz's multibyte integer: 7 bits a byte, low first, the top bit says more follow */
function varint(n: number): Buffer {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Buffer.from(out);
}

const CHUNK = 0x10000;
const STREAM_FLAGS = Buffer.from([0x00, 0x01]); // check type CRC32
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** `data` as a single-block .xz stream (format 1.0.4), CRC32-checked. */
export function xzStore(data: Uint8Array): Buffer {
  const streamHeader = Buffer.concat([XZ_MAGIC, withCrc(STREAM_FLAGS)]);
  // block header: size ((12 / 4) - 1), flags (one filter, no sizes), LZMA2 filter with a 1 MiB dictionary, padding
  const blockHeader = withCrc(Buffer.from([0x02, 0x00, 0x21, 0x01, 0x10, 0x00, 0x00, 0x00]));
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += CHUNK) {
    const part = data.subarray(at, Math.min(at + CHUNK, data.length));
    const control = Buffer.from([at === 0 ? 0x01 : 0x02, (part.length - 1) >> 8, (part.length - 1) & 0xff]);
    chunks.push(control, Buffer.from(part));
  }
  chunks.push(Buffer.from([0x00]));
  const compressed = Buffer.concat(chunks);
  const block = Buffer.concat([blockHeader, compressed, pad4(blockHeader.length + compressed.length), le32(crc32(data))]);
  const unpaddedSize = blockHeader.length + compressed.length + 4;
  const indexBody = Buffer.concat([Buffer.from([0x00]), varint(1), varint(unpaddedSize), varint(data.length)]);
  const index = withCrc(Buffer.concat([indexBody, pad4(indexBody.length)]));
  const backward = Buffer.concat([le32(index.length / 4 - 1), STREAM_FLAGS]);
  // the footer's CRC comes first, over the backward size and the flags after it
  const footer = Buffer.concat([le32(crc32(backward)), backward, Buffer.from('YZ', 'latin1')]);
  return Buffer.concat([streamHeader, block, index, footer]);
}
