// Every shell line of the README's `juju` code blocks, run by bash exactly as written, in order, with
// `juju` on PATH being the emulator's CLI: Juju's argument parsing (YAML values, --string-args, --params,
// the actions.yaml schema check) against namespace machines with real LXD daemons and the packed charm.
// A line that does not parse, exits non-zero or whose action fails fails its test. Root only.
//
// What stands in for a real cloud, and nothing else:
// - `juju deploy nova-compute` deploys the emulator's nova-compute stand-in, on two machines with two
//   loop devices each (migrate-container needs a peer); `juju deploy ./build/lxd.charm` deploys the
//   packed charm (with lvm-thinpool=false where this kernel has no dm-thin target);
// - the README's /dev/vdb and /dev/vdc are each machine's loop devices, linked as /root/vdb and
//   /root/vdc (/root is private to each machine, /dev is the host's);
// - placeholders in angle brackets are replaced by the real value (a peer's trust fingerprint), and
//   the container the README moves (c1) is made first, stopped, as nova (on a dir pool where this
//   kernel has no device-mapper, so LVM can make no logical volume).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage } from 'juju-emulator';
import { ensurePackedCharm, repoRoot } from './helpers/packed-charm';
import { describeWith, lxdDaemon, root } from './helpers/requirements';

jest.setTimeout(1_800_000);

const cli = path.join(repoRoot, 'emulator', 'dist', 'cli.js');
const MODEL = `readme-${process.pid}`;
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The lines of every fenced sh block of README.md that holds a `juju` command, in order, blanks dropped. */
function readmeShellLines(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((block) => (block[1] ?? '').split('\n').filter((line) => line.trim() !== ''))
    .filter((lines) => lines.some((line) => /^juju /.test(line)))
    .flat();
}

const lines = readmeShellLines();
const jujuLines = lines.filter((line) => /^juju /.test(line));
// namespace machines need root; the charm's machines run LXD
const requirements = [root, lxdDaemon];

/** The README's words that name things of a real cloud, and what they are here. */
const SUBSTITUTIONS: ReadonlyArray<readonly [string, string]> = [
  ['/dev/vdb', '/root/vdb'],
  ['/dev/vdc', '/root/vdc'],
];

describeWith(requirements, 'every juju line of the README, run by bash against the emulator', () => {
  let home = '';
  let work = '';
  let deviceMapper = false;
  const env = (): NodeJS.ProcessEnv => ({ PATH: `${path.join(work, 'bin')}:${HOST_PATH}`, JUJU_EMULATOR_HOME: home, LANG: 'C.UTF-8', HOME: work });

  const emu = (...args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync('node', [cli, '-m', MODEL, ...args], { env: env(), encoding: 'utf8', timeout: 900_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const emuOk = (...args: string[]): string => {
    const r = emu(...args);
    if (r.code !== 0) throw new Error(`juju-emulator ${args.join(' ')} → exit ${r.code}\n${r.stderr}`);
    return r.stdout;
  };
  interface StatusJson {
    applications: Record<string, { units: Record<string, { machine: string; workload: { status: string; message: string } }> }>;
  }
  const status = (): StatusJson => JSON.parse(emuOk('status', '--format', 'json')) as StatusJson;
  const lxdUnits = (): Array<[string, { status: string; message: string }]> =>
    Object.entries(status().applications.lxd?.units ?? {}).map(([unit, u]) => [unit, u.workload]);
  const modelState = (): { units: Record<string, { machine: string }>; machines: Record<string, { loopDevices: Array<{ device: string }> }> } =>
    JSON.parse(readFileSync(path.join(home, MODEL, 'state.json'), 'utf8')) as ReturnType<typeof modelState>;

  /** What a line needs to exist first, and what replaces its placeholders. */
  const prepare: Array<{ when: RegExp; run: () => Promise<void> | void }> = [
    {
      when: /block-devices="\/dev\/vdb \/dev\/vdc"/,
      run: () => {
        const state = modelState();
        for (const [unit, record] of Object.entries(state.units)) {
          if (!unit.startsWith('nova-compute/')) continue;
          const [vdb, vdc] = state.machines[record.machine]?.loopDevices.map((l) => l.device) ?? [];
          if (vdb === undefined || vdc === undefined) throw new Error(`machine of ${unit} has no two loop devices`);
          emuOk('exec', unit, '--', 'sh', '-c', `ln -sfn ${vdb} /root/vdb && ln -sfn ${vdc} /root/vdc`);
        }
      },
    },
    {
      when: /migrate-container container=c1 /,
      run: async () => {
        const tarball = await buildBusyboxImage(path.join(work, 'image'));
        emuOk('exec', 'lxd/0', '--', 'sh', '-c', `lxc image import ${tarball} --alias readme-busybox`);
        // without the kernel's device-mapper LVM has volume groups but no logical volumes: the container's
        // root disk then goes on a dir pool of the same name on both hosts (where lxc move puts it too)
        const pool = deviceMapper ? [] : ['-s', 'readme-dir'];
        if (!deviceMapper) for (const unit of ['lxd/0', 'lxd/1']) emuOk('exec', unit, '--', 'lxc', 'storage', 'create', 'readme-dir', 'dir');
        emuOk('exec', 'lxd/0', '--', 'runuser', '-u', 'nova', '--', 'env', 'HOME=/home/nova', 'lxc', 'init', 'readme-busybox', 'c1', ...pool);
      },
    },
  ];
  const placeholders: Record<string, () => string> = {
    "<sha256 of a peer's entry>": () => {
      const listed = JSON.parse(emuOk('run', 'lxd/0', 'list-trusted-clients')) as { results: { clients?: Record<string, Record<string, string>> } };
      const peer = Object.values(listed.results.clients ?? {}).find((c) => c['managed-by-charm'] === 'true');
      if (!peer?.fingerprint) throw new Error(`lxd/0 trusts no peer entry: ${JSON.stringify(listed.results)}`);
      return peer.fingerprint;
    },
  };

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', path.join(repoRoot, 'emulator', 'tsconfig.build.json')], { cwd: repoRoot, stdio: 'inherit' });
    const charm = ensurePackedCharm();
    home = mkdtempSync(path.join(os.tmpdir(), 'readme-e2e-home-'));
    work = mkdtempSync(path.join(os.tmpdir(), 'readme-e2e-work-'));
    const targets = spawnSync('sh', ['-c', 'modprobe dm-thin-pool 2>/dev/null; dmsetup targets'], { encoding: 'utf8' });
    const thin = targets.stdout.includes('thin-pool');
    deviceMapper = targets.status === 0 && targets.stdout.includes('linear');
    const shim = [
      '#!/bin/sh',
      '# juju → juju-emulator on the test model; Charmhub names → the emulator\'s stand-ins (see the test)',
      'case "$1 $2" in',
      `  "deploy nova-compute") shift 2; set -- deploy builtin:nova-compute nova-compute -n 2 --loop-devices 2 --loop-size 1 "$@" ;;`,
      `  "deploy ./build/lxd.charm") shift 2; set -- deploy '${charm}' lxd ${thin ? '' : '--config lvm-thinpool=false'} "$@" ;;`,
      'esac',
      `exec node '${cli}' -m '${MODEL}' "$@"`,
      '',
    ].join('\n');
    execFileSync('mkdir', ['-p', path.join(work, 'bin')]);
    writeFileSync(path.join(work, 'bin', 'juju'), shim);
    chmodSync(path.join(work, 'bin', 'juju'), 0o755);
    // the client certificate the README's examples pass (a real one, several PEM lines)
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.crt', '-days', '2', '-subj', '/CN=readme-client'], { cwd: work, stdio: 'ignore' });
    emuOk('add-model');
  });

  afterAll(() => {
    if (home && existsSync(path.join(home, MODEL, 'state.json'))) emu('destroy');
    for (const dir of [home, work]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the README has the juju lines this test runs', () => {
    expect(jujuLines.filter((l) => l.startsWith('juju run ')).length).toBeGreaterThanOrEqual(10);
    expect(jujuLines.filter((l) => l.startsWith('juju config ')).length).toBeGreaterThanOrEqual(2);
    expect(jujuLines.some((l) => /add-trusted-client --string-args cert="\$\(cat client\.crt\)"/.test(l))).toBe(true);
    expect(jujuLines.some((l) => /add-trusted-client --params /.test(l))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/juju deploy lxd\b/);
  });

  test.each(lines.map((line, i) => [i + 1, line] as const))('line %d: %s', async (_n, line) => {
    for (const step of prepare) if (step.when.test(line)) await step.run();
    let command = line;
    for (const [from, to] of SUBSTITUTIONS) command = command.split(from).join(to);
    for (const [placeholder, value] of Object.entries(placeholders)) if (command.includes(placeholder)) command = command.split(placeholder).join(value());
    const r = spawnSync('bash', ['-c', command], { cwd: work, env: env(), encoding: 'utf8', timeout: 900_000 });
    expect({ command, exit: r.status, stderr: r.stderr }).toEqual({ command, exit: 0, stderr: expect.not.stringMatching(/^ERROR/m) });
    if (/^juju run /.test(line)) {
      const outcome = JSON.parse(r.stdout) as { status: string; message: string };
      expect(outcome).toMatchObject({ status: 'completed' });
    }
    if (/^juju config lxd /.test(line)) {
      // the config really applied: every lxd unit is ready on the pool the line asked for
      for (const [unit, workload] of lxdUnits()) expect([unit, workload.status, workload.message]).toEqual([unit, 'active', expect.stringMatching(/^Unit is ready \(lvm pool lxd on 2 devices/)]);
    }
    if (/add-trusted-client/.test(line)) {
      const trusted = emuOk('exec', 'lxd/0', '--', 'lxc', 'config', 'trust', 'list', '--format', 'csv');
      expect(trusted).toMatch(/alice/);
    }
  });

  test('without --string-args a YAML integer for a string parameter is refused before the charm runs, in Juju\'s words', () => {
    const folded = spawnSync('bash', ['-c', 'juju run lxd/0 add-trusted-client name=1000 cert="$(cat client.crt)"'], { cwd: work, env: env(), encoding: 'utf8' });
    expect({ exit: folded.status, stderr: folded.stderr }).toEqual({ exit: 1, stderr: 'ERROR validation failed: (root).name : must be of type string, given 1000\n' });
  });
});
