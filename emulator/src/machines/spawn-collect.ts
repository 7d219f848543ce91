// Runs one process for a machine backend and collects what it printed: its own process group (a
// timeout ends the whole tree it started), exactly the given environment, stdin only when given,
// output streamed to the caller as it comes. Shared by the namespace and local backends.
import { spawn } from 'node:child_process';
import type { RunRequest, RunResult } from './machine-backend';
import { signalNumber } from './command';

// After the main process exits, wait this long for stragglers still holding its stdout/stderr.
const OUTPUT_GRACE_MS = 2000;

export interface SpawnOptions extends Pick<RunRequest, 'env' | 'stdin' | 'timeoutMs' | 'onStdout' | 'onStderr' | 'signal'> {
  readonly cwd?: string;
  /** what a file that cannot be started is: an error, or (like exec) a run that exited 126 */
  readonly notStarted: 'reject' | 'exit-126';
}

export function spawnCollect(file: string, args: readonly string[], opts: SpawnOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      env: { ...opts.env },
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      detached: true,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      opts.onStdout?.(c);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      opts.onStderr?.(c);
    });
    let timedOut = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), killGroup()), opts.timeoutMs);
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;
    const finish = (): void => {
      if (settled || exit === null) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const signal = exit.signal ?? (timedOut || aborted ? 'SIGKILL' : null);
      resolve({ exitCode: exit.code ?? 128 + signalNumber(signal), signal, stdout, stderr });
    };
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (opts.notStarted === 'reject') reject(err);
      else resolve({ exitCode: 126, signal: null, stdout, stderr: `${stderr}${err.message}\n` });
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
    if (opts.stdin !== undefined) child.stdin?.on('error', () => undefined).end(opts.stdin);
  });
}
