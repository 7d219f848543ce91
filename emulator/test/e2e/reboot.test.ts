// `reboot MACHINE` on a namespace machine with a real LXD daemon and the test charm: what ran stops,
// a loop device software on the machine attached is gone, the unit it enabled starts at boot before
// LXD, LXD answers again, and the unit agent runs `start`. Needs root and Debian's lxd.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCharm, Model } from '../../src/index';
import { unitPaths } from '../../src/agent/paths';
import { isRunning } from '../../src/machines/processes';

jest.setTimeout(300_000);

const home = mkdtempSync(path.join(os.tmpdir(), 'emu-reboot-'));
let model: Model | null = null;
afterAll(async () => {
  await model?.destroy();
  rmSync(home, { recursive: true, force: true });
});

function runs(m: Model, unit: string): string[] {
  const record = m.state.units[unit];
  const machine = record && m.state.machines[record.machine];
  if (!machine) throw new Error(`no machine for ${unit}`);
  const file = path.join(unitPaths(machine, unit).hostAgentDir, 'invocations.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('RUN hooks/')) : [];
}

async function sh(m: Model, script: string): Promise<string> {
  const res = await m.exec('0', ['/bin/sh', '-c', script]);
  if (res.exitCode !== 0) throw new Error(`\`${script}\` exited ${res.exitCode}: ${res.stderr}`);
  return res.stdout;
}

// a unit as a charm would install it: re-attach its loop file at boot, before LXD, and note whether LXD was up
const ATTACH_UNIT = `[Unit]
Description=attach the test loop file
Before=lxd.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'losetup --find /var/lib/lxd/test-disk.img; if lxc query /1.0 >/dev/null 2>&1; then echo lxd-was-up; else echo lxd-was-down; fi >> /root/boot.log'
[Install]
WantedBy=local-fs.target
`;

test('after a reboot LXD answers, the enabled unit ran before it, the loop file is back, and start ran', async () => {
  model = await Model.create({ name: 'emu-reboot', backend: 'namespace', home });
  await model.deploy('tc', builtinCharm('test-charm'), { units: 1, machineOptions: { lxd: true, loopDevices: 1, loopSizeGiB: 1 } });
  await model.settle();
  const before = model.state.machines['0'];
  const oldPid = before?.lxdPid ?? 0;
  expect(oldPid).toBeGreaterThan(0);
  await sh(model, 'truncate -s 64M /var/lib/lxd/test-disk.img && losetup --find --show /var/lib/lxd/test-disk.img');
  await sh(model, `cat > /etc/systemd/system/test-attach.service <<'EOF'\n${ATTACH_UNIT}EOF\nsystemctl daemon-reload && systemctl enable test-attach.service`);
  const sleeper = Number((await sh(model, 'setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!')).trim());
  expect(await isRunning(sleeper)).toBe(true);
  const startsBefore = runs(model, 'tc/0').filter((l) => l.startsWith('RUN hooks/start ')).length;

  const report = await model.reboot('0');

  expect(report).toMatchObject({ started: ['test-attach.service'], failed: [], lxdStarted: true });
  expect(report.detachedLoops).toHaveLength(1);
  expect(await isRunning(oldPid)).toBe(false);
  expect(await isRunning(sleeper)).toBe(false);
  const newPid = model.state.machines['0']?.lxdPid ?? 0;
  expect(newPid).not.toBe(oldPid);
  expect(await isRunning(newPid)).toBe(true);
  expect(JSON.parse(await sh(model, 'lxc query /1.0'))).toMatchObject({ api_version: '1.0' });
  expect((await sh(model, 'cat /root/boot.log')).trim()).toBe('lxd-was-down');
  expect(await sh(model, 'losetup --list --noheadings --output BACK-FILE')).toContain('test-disk.img');
  expect((await sh(model, 'systemctl is-active test-attach.service')).trim()).toBe('active');
  // the emulator's own disk survives (it is the machine's hardware)
  expect(await sh(model, `losetup --list --noheadings --output NAME`)).toContain(before?.loopDevices[0]?.device ?? '?');

  expect(model.pendingHooks().map((p) => `${p.unit} ${p.label}`)).toEqual(['tc/0 start']);
  const settled = await model.settle();
  expect(settled.failed).toEqual([]);
  expect(runs(model, 'tc/0').filter((l) => l.startsWith('RUN hooks/start ')).length).toBe(startsBefore + 1);
  expect(model.status().applications.tc?.units['tc/0']?.workload).toMatchObject({ status: 'active', message: 'ready' });
});
