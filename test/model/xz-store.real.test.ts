// The .xz the charm makes for cos_agent's dashboards, read back by the real decoders: xz (xz-utils) and
// Python's lzma, which the COS collectors use. Runs with e2e (*.real.test.ts): it spawns both.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { crc32, xzStore } from '../../src/model/xz-store';

const decoders = existsSync('/usr/bin/xz') && existsSync('/usr/bin/python3');
if (!decoders && process.env.CI === 'true') {
  test('xz store', () => {
    throw new Error('needs /usr/bin/xz and /usr/bin/python3 (scripts/setup-host.sh), CI=true does not skip');
  });
}

(decoders ? describe : describe.skip)('xzStore', () => {
  const samples: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['a dashboard', Buffer.from('{"title": "LXD ✓"}', 'utf8')],
    ['exactly one chunk', Buffer.alloc(0x10000, 0x61)],
    ['three chunks', Buffer.from(Array.from({ length: 150_000 }, (_, i) => i % 251))],
  ];
  test.each(samples)('%s: xz -dc and python lzma give the bytes back', (_name, data) => {
    const packed = xzStore(data);
    expect(execFileSync('/usr/bin/xz', ['-dc'], { input: packed }).equals(data)).toBe(true);
    const viaPython = execFileSync('/usr/bin/python3', ['-c', 'import lzma,sys; sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))'], { input: packed });
    expect(viaPython.equals(data)).toBe(true);
  });

  test('crc32 is the usual one (zlib check value)', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });
});
