// What Node.js a namespace machine has, for charms that must find or install one (machineOptions.nodejs):
// the host's node, none, or an old one (Ubuntu 22.04's archive ships Node.js 12), and what its apt
// archive offers. Without the option a machine sees the host's node and the host's apt, as before.
// Inside the machine's mount view only: /usr/bin/node (nodejs links to it through /etc/alternatives) is
// bind-mounted over with an empty 0644 file (`command -v` and `[ -x ]` skip it: no node) or a stand-in
// that reports the version and runs nothing. `apt-cache policy nodejs` and `apt-get install nodejs`
// (shims beside systemctl, first on PATH; any other call goes to the real apt) answer from the modelled
// archive: installing its nodejs unmounts the cover (the host's node appears) or mounts the stand-in.

import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineRecord } from '../model/types';
import { run } from './command';
import { enterArgv, handlesOf } from './enter';
import { shellQuote } from './mount-view';
import { shimDirOf } from './service-shim';

/** 'host': the host's real node; 'none': no node; a version ("12.22.9"): a stand-in reporting it */
export type NodeShape = 'host' | 'none' | string;

export interface MachineNodejs {
  /** the node on the machine's PATH */
  readonly installed: NodeShape;
  /** the nodejs the machine's apt archive offers */
  readonly archive: NodeShape;
}

const GUEST_NODE = '/usr/bin/node';

/** The host's node version (what 'host' stands for), e.g. "20.20.2". */
export function hostNodeVersion(): string {
  return execFileSync(GUEST_NODE, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
}

function checkShape(shape: NodeShape, what: string): void {
  if (shape !== 'host' && shape !== 'none' && !/^\d+\.\d+\.\d+$/.test(shape)) {
    throw new Error(`machineOptions.nodejs.${what} must be "host", "none" or a version like 12.22.9, not ${JSON.stringify(shape)}`);
  }
}

/** A node that reports `version` and can run nothing (as a too old node fails on a modern bundle). */
function standInNode(version: string): string {
  return [
    '#!/bin/sh',
    `# juju-emulator: a stand-in for Node.js v${version}`,
    `if [ "\${1:-}" = --version ] || [ "\${1:-}" = -v ]; then echo v${version}; exit 0; fi`,
    `echo "node v${version} (juju-emulator stand-in) cannot run $*" >&2`,
    'exit 9',
    '',
  ].join('\n');
}

function debianVersion(shape: NodeShape, host: string): string {
  if (shape === 'none') return '(none)';
  return `${shape === 'host' ? host : shape}-1jemu`;
}

/** apt-cache and apt-get shims: nodejs from the modelled archive, everything else from the real apt. */
function aptScripts(dir: string, nodejs: MachineNodejs, host: string): { aptCache: string; aptGet: string } {
  const q = shellQuote;
  const installedFile = path.join(dir, 'installed');
  const aptCache = [
    '#!/bin/sh',
    '# juju-emulator: apt-cache, with the nodejs of this machine\'s modelled archive (machines/node-shape.ts)',
    'if [ "$1" = policy ] && [ "$#" = 2 ] && [ "$2" = nodejs ]; then',
    '  echo "nodejs:"',
    `  echo "  Installed: $(cat ${q(installedFile)})"`,
    `  echo "  Candidate: ${debianVersion(nodejs.archive, host)}"`,
    '  exit 0',
    'fi',
    'exec /usr/bin/apt-cache "$@"',
    '',
  ].join('\n');
  const install =
    nodejs.archive === 'none'
      ? ['  echo "E: Unable to locate package nodejs" >&2', '  exit 100']
      : [
          `  while umount ${GUEST_NODE} 2>/dev/null; do :; done`,
          ...(nodejs.archive === 'host' ? [] : [`  mount --bind ${q(path.join(dir, `node-${nodejs.archive}`))} ${GUEST_NODE} || exit 100`]),
          `  echo ${q(debianVersion(nodejs.archive, host))} > ${q(installedFile)}`,
          `  echo "Setting up nodejs (${debianVersion(nodejs.archive, host)}) ..."`,
          '  exit 0',
        ];
  const aptGet = [
    '#!/bin/sh',
    '# juju-emulator: apt-get, with the nodejs of this machine\'s modelled archive (machines/node-shape.ts)',
    'verb=""; packages=""; skip=""',
    'for arg in "$@"; do',
    '  if [ -n "$skip" ]; then skip=""; continue; fi',
    '  case "$arg" in -o|-c|-t) skip=1 ;; -*) ;; *) if [ -z "$verb" ]; then verb=$arg; else packages="$packages $arg"; fi ;; esac',
    'done',
    'if [ "$verb" = update ]; then echo "Reading package lists... Done"; exit 0; fi',
    'if [ "$verb" = install ] && [ "$packages" = " nodejs" ]; then',
    ...install,
    'fi',
    'exec /usr/bin/apt-get "$@"',
    '',
  ].join('\n');
  return { aptCache, aptGet };
}

/** Gives a namespace machine the Node.js and archive asked for (after its service shim is in place). */
export async function applyNodeShape(machine: MachineRecord, nodejs: MachineNodejs): Promise<void> {
  checkShape(nodejs.installed, 'installed');
  checkShape(nodejs.archive, 'archive');
  const h = handlesOf(machine);
  const dir = path.join(h.machineDir, 'nodejs');
  await mkdir(dir, { recursive: true });
  const host = nodejs.installed === 'host' || nodejs.archive === 'host' ? hostNodeVersion() : '';
  await writeFile(path.join(dir, 'absent'), '', { mode: 0o644 });
  for (const shape of [nodejs.installed, nodejs.archive]) {
    if (shape === 'host' || shape === 'none') continue;
    await writeFile(path.join(dir, `node-${shape}`), standInNode(shape));
    await chmod(path.join(dir, `node-${shape}`), 0o755);
  }
  await writeFile(path.join(dir, 'installed'), `${debianVersion(nodejs.installed, host)}\n`);
  const shims = aptScripts(dir, nodejs, host);
  const shimDir = shimDirOf(h.machineDir);
  for (const [name, script] of [['apt-cache', shims.aptCache], ['apt-get', shims.aptGet]] as const) {
    await writeFile(path.join(shimDir, name), script);
    await chmod(path.join(shimDir, name), 0o755);
  }
  if (nodejs.installed === 'host') return;
  const cover = nodejs.installed === 'none' ? path.join(dir, 'absent') : path.join(dir, `node-${nodejs.installed}`);
  await run([...enterArgv(h), 'mount', '--bind', cover, GUEST_NODE]);
}
