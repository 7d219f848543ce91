// In-memory kernel tuning for FakeHost: managed files, sysctl values (some refusing writes, as in a
// container or on a read-only /proc/sys) and file modes. Mutations go to the host's action log.
import type { KernelHost, SysctlWrite } from '../../src/host/kernel-host';

/** A stock kernel's values for the production keys (Debian 12, 4 GiB). */
export const STOCK_SYSCTL: Readonly<Record<string, string>> = {
  'fs.aio-max-nr': '65536',
  'fs.inotify.max_queued_events': '16384',
  'fs.inotify.max_user_instances': '128',
  'fs.inotify.max_user_watches': '29808',
  'kernel.dmesg_restrict': '0',
  'kernel.keys.maxbytes': '20000',
  'kernel.keys.maxkeys': '200',
  'net.core.bpf_jit_limit': '264241152',
  'net.ipv4.neigh.default.gc_thresh3': '1024',
  'net.ipv6.neigh.default.gc_thresh3': '1024',
  'vm.max_map_count': '65530',
};

export interface FakeKernelOptions {
  readonly sysctl?: Readonly<Record<string, string>>;
  /** keys whose writes the kernel refuses (shown with sysctl's words) */
  readonly readOnlySysctl?: readonly string[];
  /** path → mode; a path not listed does not exist. Default: /proc/sched_debug 0444, /sys/kernel/slab 0755 */
  readonly modes?: Readonly<Record<string, number>>;
  readonly files?: Readonly<Record<string, string>>;
}

export class FakeKernel implements KernelHost {
  readonly files: Map<string, string>;
  readonly sysctl: Map<string, string>;
  readonly modes: Map<string, number>;
  /** how many times the kernel's values were read (a spawn of sysctl on a real host) */
  sysctlReads = 0;

  constructor(
    private readonly actions: string[],
    private readonly options: FakeKernelOptions = {},
  ) {
    this.files = new Map(Object.entries(options.files ?? {}));
    this.sysctl = new Map(Object.entries(options.sysctl ?? STOCK_SYSCTL));
    this.modes = new Map(Object.entries(options.modes ?? { '/proc/sched_debug': 0o444, '/sys/kernel/slab': 0o755 }));
  }

  async readManagedFile(path: string): Promise<string | null> {
    return this.files.get(path) ?? null;
  }
  async writeManagedFile(path: string, content: string): Promise<void> {
    this.files.set(path, content);
    this.actions.push(`write ${path}`);
  }
  async removeManagedFile(path: string): Promise<void> {
    if (!this.files.delete(path)) return;
    this.actions.push(`rm ${path}`);
  }
  async sysctlValues(keys: readonly string[]): Promise<Map<string, string>> {
    this.sysctlReads++;
    return new Map(keys.flatMap((k) => (this.sysctl.has(k) ? [[k, this.sysctl.get(k) ?? '']] : [])));
  }
  async setSysctl(key: string, value: string): Promise<SysctlWrite> {
    this.actions.push(`sysctl -w ${key}=${value}`);
    if (!this.sysctl.has(key)) return { ok: false, reason: `sysctl: cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory` };
    if (this.options.readOnlySysctl?.includes(key)) return { ok: false, reason: `sysctl: setting key "${key}": Read-only file system` };
    this.sysctl.set(key, value);
    return { ok: true };
  }
  async fileMode(path: string): Promise<number | null> {
    return this.modes.get(path) ?? null;
  }
  async setFileMode(path: string, mode: number): Promise<void> {
    if (!this.modes.has(path)) throw new Error(`chmod: cannot access '${path}': No such file or directory`);
    this.modes.set(path, mode);
    this.actions.push(`chmod ${mode.toString(8)} ${path}`);
  }
}
