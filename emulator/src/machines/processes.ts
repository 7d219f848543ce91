// Finds and ends the processes living in a machine's namespaces (its LXD daemon, dnsmasq, container
// monitors, anything a hook left behind) and their descendants. Only by pid, only what is ours.

import { readdir, readFile, readlink, statfs, stat } from 'node:fs/promises';

const NSFS_MAGIC = 0x6e736673;

/** `net:[4026532396]` for a namespace file (a /run/netns entry or a bind-mounted ns file), or null when it is not one. */
export async function namespaceId(kind: 'net' | 'mnt' | 'uts', file: string): Promise<string | null> {
  try {
    const fs = await statfs(file);
    if (fs.type !== NSFS_MAGIC) return null;
    return `${kind}:[${(await stat(file)).ino}]`;
  } catch {
    return null;
  }
}

interface ProcInfo {
  pid: number;
  ppid: number;
  namespaces: string[];
}

async function procInfo(pid: number): Promise<ProcInfo | null> {
  try {
    const statLine = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces and parentheses: fields start after the last ')'
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // zombies hold nothing
    const ppid = Number(fields[1]);
    const namespaces = await Promise.all(
      ['net', 'mnt'].map((k) => readlink(`/proc/${pid}/ns/${k}`).catch(() => '')),
    );
    return { pid, ppid, namespaces };
  } catch {
    return null;
  }
}

/** Pids of processes inside any of the given namespaces, plus all their descendants (containers). */
export async function pidsInNamespaces(namespaceIds: readonly string[]): Promise<number[]> {
  const wanted = new Set(namespaceIds);
  if (wanted.size === 0) return [];
  const entries = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const infos = (await Promise.all(entries.map(procInfo))).filter((p): p is ProcInfo => p !== null);
  const selected = new Set(infos.filter((p) => p.namespaces.some((n) => wanted.has(n))).map((p) => p.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of infos) {
      if (!selected.has(p.pid) && selected.has(p.ppid)) {
        selected.add(p.pid);
        grew = true;
      }
    }
  }
  selected.delete(process.pid);
  return [...selected];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}

/** Alive and not a zombie (zombies under a non-reaping init hold nothing). */
export async function isRunning(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  return (await procInfo(pid)) !== null; // a zombie is as good as gone
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs` for whatever is still running. */
export async function terminate(pids: readonly number[], graceMs = 5000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = [...pids];
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = (await Promise.all(left.map(async (p) => ((await isRunning(p)) ? p : 0)))).filter((p) => p !== 0);
  }
  for (const pid of left) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (left.length > 0 && Date.now() < killDeadline) {
    await sleep(50);
    left = (await Promise.all(left.map(async (p) => ((await isRunning(p)) ? p : 0)))).filter((p) => p !== 0);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
