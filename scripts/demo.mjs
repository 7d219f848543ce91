// `npm run demo [-- --keep] [-- --snap]`: the charm on three emulated nova-compute machines, each with its own
// LXD daemon and loop device (--snap: snap-shaped machines, Ubuntu with the LXD snap, emulator/README.md). Packs the charm, deploys it next to the nova-compute stand-in, relates,
// settles, prints status and each unit's remotes, then moves a busybox container from the first
// unit to the second through the wired remote, as nova. Says plainly what does not work yet.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const lxdPackaging = process.argv.includes('--snap') ? 'snap' : 'deb';
// where the charm's loop file goes: under the machine's LXD data directory (the snap keeps it in /var/snap)
const lxdDataDir = lxdPackaging === 'snap' ? '/var/snap/lxd/common/lxd' : '/var/lib/lxd';
const MODEL = 'demo';
const notYet = [];
let stepNo = 0;
const step = (text) => console.log(`\n[${++stepNo}] ${text}`);
const info = (text) => console.log(`    ${text}`);
const missing = (what, why) => {
  notYet.push(`${what}: ${why}`);
  console.log(`    NOT YET: ${what}: ${why}`);
};

if (process.getuid?.() !== 0) {
  console.error('The demo needs root (network namespaces, loop devices, LXD daemons). Run it as root after scripts/setup-host.sh.');
  process.exit(2);
}

step('Building the emulator (emulator/dist)');
execFileSync('npx', ['tsc', '-p', join(root, 'emulator', 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
const { Model, builtinCharm, buildBusyboxImage, modelDirOf } = createRequire(import.meta.url)(join(root, 'emulator', 'dist', 'index.js'));

step('Packing the charm (npm run pack → build/lxd.charm)');
const pack = spawnSync('npm', ['run', '--silent', 'pack'], { cwd: root, encoding: 'utf8' });
const charm = join(root, 'build', 'lxd.charm');
const packed = pack.status === 0 && existsSync(charm);
if (packed) info(`packed ${charm}`);
else missing('packing the charm', (pack.stderr || pack.stdout).trim().split('\n').slice(-4).map((l) => l.trim()).join(' '));

async function exec(model, target, argv, user) {
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: user === 'nova' ? '/var/lib/nova' : '/root' };
  return model.exec(target, argv, { env, ...(user ? { user } : {}), timeoutMs: 300_000 });
}

let model;
try {
  step(`Creating model "${MODEL}" (namespace machines, each with a real LXD daemon)`);
  if (existsSync(join(modelDirOf(MODEL), 'state.json'))) {
    info('an earlier demo model exists: destroying it first');
    await (await Model.open(MODEL)).destroy();
  }
  model = await Model.create({ name: MODEL, backend: 'namespace' });

  step(`Deploying the nova-compute stand-in: 3 ${lxdPackaging === 'snap' ? 'snap-shaped (Ubuntu, LXD snap) ' : ''}machines, one 4 GiB loop device each`);
  const started = Date.now();
  await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 3, machineOptions: { lxd: true, loopDevices: 1, loopSizeGiB: 4, lxdPackaging } });
  for (const m of Object.values(model.state.machines)) info(`machine ${m.id}: ${m.hostname} ${m.address}, LXD pid ${m.lxdPid}, disk ${m.loopDevices[0]?.device}`);
  info(`machines up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await model.settle({ onEvent: (o) => info(`${o.ok ? 'ran' : 'FAILED'} ${o.unit} ${o.label}`) });

  if (packed) {
    step('Deploying the lxd charm (storage-type=lvm on a loop file per machine) and relating it');
    try {
      // A config value is the same on every unit, as in Juju. The LVM volume group is built on a loop
      // file the charm creates (legacy `path|size` form) under each machine's private LXD directory.
      // This kernel has no device-mapper, so the thin pool is off.
      await model.deploy('lxd', charm, { config: { 'storage-type': 'lvm', 'block-devices': `${lxdDataDir}/disks/juju-lvm0.img|2G`, 'lvm-thinpool': false } });
      model.relate('lxd', 'nova-compute');
      const report = await model.settle({ onEvent: (o) => info(`${o.ok ? 'ran' : 'FAILED'} ${o.unit} ${o.label}`) });
      if (report.failed.length > 0) missing('charm hooks', report.failed.map((f) => `${f.unit} ${f.label}`).join(', ') + ' failed (see debug-log)');
      for (const unit of Object.values(model.state.units).filter((u) => u.app === 'lxd')) {
        if (unit.workloadStatus.status !== 'active') missing(`${unit.name} ready`, `${unit.workloadStatus.status}: ${unit.workloadStatus.message}`);
      }
    } catch (err) {
      missing('deploying the charm', err.message);
    }
  }

  step('Status');
  console.log(model.statusTable().replace(/^/gm, '    '));

  const lxdUnits = Object.keys(model.state.units).filter((u) => u.startsWith('lxd/')).sort();
  if (lxdUnits.length > 0) {
    step('Each unit\'s LXD remotes (lxc remote list, as root and as nova)');
    for (const unit of lxdUnits) {
      for (const user of [undefined, 'nova']) {
        const res = await exec(model, unit, ['lxc', 'remote', 'list', '--format', 'json'], user);
        if (res.exitCode !== 0) {
          info(`${unit} as ${user ?? 'root'}: lxc failed: ${res.stderr.trim().split('\n').pop()}`);
          continue;
        }
        const remotes = Object.entries(JSON.parse(res.stdout)).filter(([, r]) => r.Protocol === 'lxd' && r.Addr?.startsWith('https://'));
        info(`${unit} as ${user ?? 'root'}: ${remotes.map(([n, r]) => `${n} → ${r.Addr}`).join(', ') || '(no peer remotes)'}`);
      }
    }
  }

  const [first, second] = ['nova-compute/0', 'nova-compute/1'].map((u) => model.state.units[u]);
  step('Moving a busybox container from the first machine to the second, as nova');
  const imagesDir = join(model.state.dir, 'images');
  mkdirSync(imagesDir, { recursive: true });
  const tarball = await buildBusyboxImage(imagesDir);
  const target = model.state.machines[second.machine];
  const remotes = await exec(model, first.machine, ['lxc', 'remote', 'list', '--format', 'json'], 'nova');
  const remoteName =
    remotes.exitCode === 0 ? Object.entries(JSON.parse(remotes.stdout)).find(([, r]) => r.Addr?.includes(target.address))?.[0] : undefined;
  if (!remoteName) {
    missing('live migration', `nova on machine ${first.machine} has no LXD remote for machine ${second.machine} (${target.address}); ` +
      (remotes.exitCode === 0 ? 'the charm has not wired the peer remotes' : `nova cannot run lxc: ${remotes.stderr.trim().split('\n').pop()}`));
  } else {
    // Containers cannot live on the lvm pool here (no device-mapper for logical volumes), so the
    // demo's container uses a directory pool of its own on both machines.
    for (const m of [first.machine, second.machine]) await exec(model, m, ['lxc', 'storage', 'create', 'demo', 'dir']);
    const steps = [
      ['lxc', 'image', 'import', tarball, '--alias', 'demo-busybox'],
      ['lxc', 'init', 'demo-busybox', 'demo-c1', '-s', 'demo'],
      ['lxc', 'move', 'demo-c1', `${remoteName}:demo-c1`, '-s', 'demo'],
      ['lxc', 'list', `${remoteName}:`, '--format', 'csv', '-c', 'ns'],
    ];
    for (const argv of steps) {
      // The image tarball lives in the model's root-only directory: root imports it, nova does the rest.
      const res = await exec(model, first.machine, argv, argv[1] === 'image' ? undefined : 'nova');
      // progress lines end in \r and are redrawn in place: show only what a terminal would leave
      const shown = res.stdout.split('\n').map((line) => line.split('\r').filter((part) => part.trim()).pop() ?? '').join('\n').trim();
      info(`$ ${argv.join(' ')}  → exit ${res.exitCode}${shown ? `\n      ${shown.replace(/\n/g, '\n      ')}` : ''}`);
      if (res.exitCode !== 0) {
        missing('live migration', `\`${argv.slice(0, 3).join(' ')}\` failed: ${res.stderr.trim().split('\n').pop()}`);
        break;
      }
    }
  }
} catch (err) {
  console.error(`\nThe demo stopped: ${err.stack ?? err}`);
  notYet.push(`the demo itself: ${err.message}`);
} finally {
  if (model && !keep) {
    step('Tearing down (daemons, namespaces, loop devices, volume groups)');
    await model.destroy().then(() => info('done'), (err) => console.error(`    teardown problem: ${err.message}`));
  } else if (model) {
    step(`Kept model "${MODEL}": node emulator/dist/cli.js -m ${MODEL} status | destroy`);
  }
}

console.log('\nSummary');
if (notYet.length === 0) console.log('    everything worked');
for (const line of notYet) console.log(`    NOT YET: ${line}`);
process.exitCode = notYet.length === 0 ? 0 : 1;
