// Runs one process inside a machine: its namespaces, a cwd in its view, exactly the given
// environment, optionally as one of its users (resolved from the machine's own /etc/passwd).

import type { MachineRecord } from '../model/types';
import type { RunRequest, RunResult } from './machine-backend';
import { run } from './command';
import { spawnCollect } from './spawn-collect';
import { enterArgv, handlesOf } from './enter';

async function lookupUser(machine: MachineRecord, user: string): Promise<{ uid: string; gid: string }> {
  if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(user)) throw new Error(`invalid user name "${user}"`);
  const res = await run([...enterArgv(handlesOf(machine)), 'getent', 'passwd', user]).catch(() => null);
  const fields = res?.stdout.trim().split(':') ?? [];
  if (fields.length < 4) throw new Error(`no user "${user}" on machine ${machine.id}`);
  return { uid: fields[2] ?? '', gid: fields[3] ?? '' };
}

export async function runInMachine(machine: MachineRecord, req: RunRequest): Promise<RunResult> {
  if (req.argv.length === 0) throw new Error('run: empty argv');
  const asUser = req.user === undefined || req.user === 'root' ? [] : await userPrefix(machine, req.user);
  const argv = [...enterArgv(handlesOf(machine), req.cwd), ...asUser, ...req.argv];
  const [file, ...args] = argv as [string, ...string[]];
  return spawnCollect(file, args, { env: req.env, stdin: req.stdin, timeoutMs: req.timeoutMs, onStdout: req.onStdout, onStderr: req.onStderr, signal: req.signal, notStarted: 'reject' });
}

async function userPrefix(machine: MachineRecord, user: string): Promise<string[]> {
  const { uid, gid } = await lookupUser(machine, user);
  return ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--'];
}
