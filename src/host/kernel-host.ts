// The host methods for the charm's kernel tuning: its own config files under /etc, sysctl values and
// file modes. Part of Host (host.ts); exec-host.ts implements them with sysctl.ts.

export type SysctlWrite = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface KernelHost {
  /** a file the charm manages (under /etc): its content, null when absent */
  readManagedFile(path: string): Promise<string | null>;
  /** writes a temporary file beside it, then renames it over: readers see the old or the new file, never half */
  writeManagedFile(path: string, content: string): Promise<void>;
  /** no-op when absent */
  removeManagedFile(path: string): Promise<void>;
  /** the kernel's current values of the keys it has (`sysctl`); keys it lacks are left out */
  sysctlValues(keys: readonly string[]): Promise<Map<string, string>>;
  /** `sysctl -w key=value`; the kernel's refusal (read-only /proc/sys, no such key) is a result, not a throw */
  setSysctl(key: string, value: string): Promise<SysctlWrite>;
  /** permission bits (0o7777) of a path, null when it does not exist */
  fileMode(path: string): Promise<number | null>;
  setFileMode(path: string, mode: number): Promise<void>;
}
