// Runs host commands for the machine backend: argv only (no shell), output captured, typed failure.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** the complete environment; defaults to a minimal root environment, never the caller's */
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
}

export const ROOT_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
  HOME: '/root',
  // lvm otherwise warns about every inherited descriptor
  LVM_SUPPRESS_FD_WARNINGS: '1',
};

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    super(`\`${argv.join(' ')}\` failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

// Runs argv and resolves with its exit code and output, whatever the exit code.
export function tryRun(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? { ...ROOT_ENV },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer =
      opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const exitCode = code ?? 128 + signalNumber(signal);
      resolve({ exitCode, stdout, stderr });
    });
    if (opts.stdin !== undefined) child.stdin?.on('error', () => undefined).end(opts.stdin);
  });
}

// Runs argv and throws a CommandError unless it exits 0.
export async function run(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const result = await tryRun(argv, opts);
  if (result.exitCode !== 0) throw new CommandError(argv, result);
  return result;
}

export function signalNumber(signal: NodeJS.Signals | string | null): number {
  if (signal === null) return 0;
  const table = constants.signals as Record<string, number | undefined>;
  return table[signal] ?? 0;
}
