// A tiny LXD container image made locally from busybox-static (no network needed): a unified tarball
// (metadata.yaml + rootfs/) that `lxc image import <tarball> --alias <name>` accepts.

import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './command';

const BUSYBOX = '/bin/busybox';

export function busyboxImageMetadata(createdAt: Date): string {
  return [
    'architecture: x86_64',
    `creation_date: ${Math.floor(createdAt.getTime() / 1000)}`,
    'properties:',
    '  description: busybox-static (built locally by juju-emulator)',
    '  os: busybox',
    '  release: static',
    '',
  ].join('\n');
}

/** Writes `<outDir>/busybox.tar.gz` and returns its path. */
export async function buildBusyboxImage(outDir: string, now: Date = new Date()): Promise<string> {
  if (!existsSync(BUSYBOX)) throw new Error('no /bin/busybox: install the Debian package busybox-static');
  const applets = (await run([BUSYBOX, '--list'])).stdout.split('\n').filter((a) => /^[\w.[-]+$/.test(a));
  const work = await mkdtemp(path.join(os.tmpdir(), 'jemu-busybox-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    for (const dir of ['bin', 'sbin', 'etc', 'dev', 'proc', 'sys', 'tmp', 'root', 'run', 'var']) {
      await mkdir(path.join(rootfs, dir), { recursive: true });
    }
    await chmod(path.join(rootfs, 'tmp'), 0o1777);
    await copyFile(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    await chmod(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of applets) {
      if (applet !== 'busybox') await symlink('busybox', path.join(rootfs, 'bin', applet)).catch(() => undefined);
    }
    await symlink('../bin/busybox', path.join(rootfs, 'sbin', 'init')).catch(() => undefined);
    // init keeps one idle process; no consoles to spawn on
    await writeFile(path.join(rootfs, 'etc', 'inittab'), '::respawn:/bin/sleep 2147483647\n');
    await writeFile(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(path.join(rootfs, 'etc', 'group'), 'root:x:0:\n');
    await writeFile(path.join(work, 'metadata.yaml'), busyboxImageMetadata(now));
    await mkdir(outDir, { recursive: true });
    const tarball = path.join(path.resolve(outDir), 'busybox.tar.gz');
    await run(['tar', '-C', work, '--numeric-owner', '--owner=0', '--group=0', '-czf', tarball, 'metadata.yaml', 'rootfs']);
    return tarball;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
