// Kernel tuning on a real host: files written then renamed, the `sysctl` command for kernel values
// (so a machine that substitutes it, like the emulator's, is honoured), chmod for file modes.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { KernelHost, SysctlWrite } from './kernel-host';

/** runs a command, never through a shell; resolves with its exit code and output */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** `sysctl key …` prints "key = value" lines; values with several fields keep single spaces. */
export function parseSysctlOutput(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(' = ');
    if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 3).trim().replace(/\s+/g, ' '));
  }
  return values;
}

export class ExecKernelHost implements KernelHost {
  constructor(
    private readonly runCommand: CommandRunner,
    /** maps an absolute path to where it is read (tests point /etc, /proc, /sys into a directory) */
    private readonly at: (path: string) => string = (path) => path,
  ) {}

  async readManagedFile(path: string): Promise<string | null> {
    try {
      return readFileSync(this.at(path), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async writeManagedFile(path: string, content: string): Promise<void> {
    const target = this.at(path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    writeFileSync(temporary, content, { mode: 0o644 });
    try {
      renameSync(temporary, target);
    } catch (err) {
      rmSync(temporary, { force: true });
      throw err;
    }
  }

  async removeManagedFile(path: string): Promise<void> {
    rmSync(this.at(path), { force: true });
  }

  async sysctlValues(keys: readonly string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    // -e: a key this kernel lacks is left out instead of failing the whole read
    const result = await this.runCommand('sysctl', ['-e', ...keys]);
    return parseSysctlOutput(result.stdout);
  }

  async setSysctl(key: string, value: string): Promise<SysctlWrite> {
    const result = await this.runCommand('sysctl', ['-w', `${key}=${value}`]);
    if (result.exitCode === 0 && !/error|denied|cannot|unknown/i.test(result.stderr)) return { ok: true };
    return { ok: false, reason: (result.stderr || result.stdout).trim().split('\n').slice(-1)[0] || `exit ${result.exitCode}` };
  }

  async fileMode(path: string): Promise<number | null> {
    try {
      return statSync(this.at(path)).mode & 0o7777;
    } catch {
      return null;
    }
  }

  async setFileMode(path: string, mode: number): Promise<void> {
    chmodSync(this.at(path), mode);
  }
}
