// What the charm's end-to-end tests do on an emulated model again and again: run a shell command on a
// unit's machine (as root, or as a user with that user's own HOME), settle failing on any failed hook
// with that unit's log, and read the lxd units and their statuses.
import { builtinCharm, type Model } from 'juju-emulator';

export const MACHINE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };

export interface ShellResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface UnitShell {
  /** the command's result, whatever its exit code */
  sh(unit: string, script: string, user?: string): Promise<ShellResult>;
  /** stdout, or an error naming the unit, user, command and stderr */
  ok(unit: string, script: string, user?: string): Promise<string>;
  /** runs the model's queued hooks; fails the test on a failed hook, with the end of that unit's log; returns how many ran */
  settle(): Promise<number>;
  lxdUnits(): string[];
  statusOf(unit: string): { status: string; message: string };
}

/** `model` is asked each time, so a test may create it in beforeAll. */
export function unitShell(model: () => Model): UnitShell {
  const sh = async (unit: string, script: string, user = 'root'): Promise<ShellResult> => {
    const argv = user === 'root' ? ['sh', '-c', script] : ['runuser', '-u', user, '--', 'sh', '-c', script];
    const r = await model().exec(unit, argv, { env: MACHINE_ENV, timeoutMs: 300_000 });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    sh,
    async ok(unit, script, user = 'root') {
      const r = await sh(unit, script, user);
      if (r.exitCode !== 0) throw new Error(`${unit} as ${user}: ${script} → exit ${r.exitCode}\n${r.stderr}`);
      return r.stdout;
    },
    async settle() {
      const report = await model().settle();
      expect(report.failed.map((f) => `${f.unit} ${f.label}\n${model().debugLog(f.unit).slice(-3000)}`)).toEqual([]);
      return report.ran.length;
    },
    lxdUnits: () => Object.keys(model().state.units).filter((u) => u.startsWith('lxd/')).sort(),
    statusOf(unit) {
      const record = model().state.units[unit];
      return { status: record?.workloadStatus.status ?? '?', message: record?.workloadStatus.message ?? '' };
    },
  };
}

/** nova-compute on `units` namespace machines, the packed charm beside each (dir pools, plus `config`), related and settled. */
export async function deployMesh(model: Model, charm: string, units: number, shell: UnitShell, config: Readonly<Record<string, string | number | boolean>> = {}): Promise<void> {
  await model.deploy('nova-compute', builtinCharm('nova-compute'), { units, machineOptions: { lxd: true, loopDevices: 0 } });
  await model.deploy('lxd', charm, { config: { 'storage-type': 'dir', ...config } });
  model.relate('lxd', 'nova-compute');
  const started = Date.now();
  const hooks = await shell.settle();
  console.log(`${units} units: mesh settled in ${((Date.now() - started) / 1000).toFixed(1)} s, ${hooks} hooks`);
}
