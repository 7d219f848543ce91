// Runs one process inside a machine: its namespaces, a cwd in its view, exactly the given
// environment, optionally as one of its users (resolved from the machine's own /etc/passwd).

import { spawn } from 'node:child_process';
import type { MachineRecord } from '../model/types';
import type { RunRequest, RunResult } from './machine-backend';
import { run, signalNumber } from './command';
import { enterArgv, handlesOf } from './enter';

// After the main process exits, wait this long for stragglers still holding its stdout/stderr.
const OUTPUT_GRACE_MS = 2000;

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
  return new Promise((resolve, reject) => {
    // own process group, so a timeout ends the whole tree the command started
    const child = spawn(file, args, {
      env: { ...req.env },
      detached: true,
      stdio: [req.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      req.onStdout?.(c);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      req.onStderr?.(c);
    });
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = req.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), killGroup()), req.timeoutMs);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;
    const finish = () => {
      if (settled || exit === null) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const signal = exit.signal ?? (timedOut ? 'SIGKILL' : null);
      const exitCode = exit.code ?? 128 + signalNumber(signal);
      resolve({ exitCode, signal, stdout, stderr });
    };
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      settled = true;
      reject(err);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, OUTPUT_GRACE_MS).unref();
    });
    child.on('close', finish);
    if (req.stdin !== undefined) child.stdin?.on('error', () => undefined).end(req.stdin);
  });
}

async function userPrefix(machine: MachineRecord, user: string): Promise<string[]> {
  const { uid, gid } = await lookupUser(machine, user);
  return ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--'];
}
