// [slow] converge with the REAL adapters: ExecHost (loop files, blkid, LVM) and the socket client on a
// private LXD daemon. Juju is the in-memory recorder. Everything made here carries a unique prefix and is
// removed in afterAll, also on failure.
import { execFileSync } from 'node:child_process';
import { servicesFor } from '../builders/run-hook';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeConverge } from '../../src/handlers/converge';
import type { Services } from '../../src/handlers/services';
import { ExecHost } from '../../src/host/exec-host';
import type { BootUnit } from '../../src/host/host';
import { describeWith, lvmTools } from '../e2e/helpers/requirements';
import { realLxdDaemon, startOwnDaemon, type OwnDaemon } from '../lxd/own-daemon';
import { FakeJuju } from '../fakes/fake-juju';
import type { ConfigValue } from '../../src/juju/hook-tools';
import { aUnit } from '../builders/juju-state';
import { hookEvent } from '../builders/juju-events';

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const converge = makeConverge({});

/** ExecHost with the loop-file boot unit kept in memory: this test must not install a systemd unit on the machine running it */
class HostWithoutBootUnits extends ExecHost {
  private unit: string | null = null;
  override async bootUnit(): Promise<BootUnit> {
    return { content: this.unit, enabled: this.unit !== null };
  }
  override async installBootUnit(_name: string, content: string): Promise<void> {
    this.unit = content;
  }
  override async removeBootUnit(): Promise<void> {
    this.unit = null;
  }
}

describeWith([...realLxdDaemon, lvmTools], '[slow] converge on a real LXD daemon and real LVM', () => {
  const tag = `hc${process.pid}`;
  const vg = `${tag}_vg`;
  let dir = '';
  let daemon: OwnDaemon | undefined;
  const host = new HostWithoutBootUnits();

  const loopOf = (file: string): string | null => {
    const out = sh('losetup', ['-j', file, '-O', 'NAME', '-n']).trim();
    return out || null;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `${tag}-`));
    daemon = await startOwnDaemon(`${tag}-lxd`);
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    try {
      sh('vgremove', ['-f', vg]);
    } catch {
      /* not created */
    }
    try {
      sh('vgremove', ['-f', `${tag}_tvg`]);
    } catch {
      /* not created */
    }
    for (const f of ['a.img', 'b.img', 'c.img', 'd.img', 'e.img']) {
      const file = join(dir, f);
      const loop = existsSync(file) ? loopOf(file) : null;
      if (loop) sh('losetup', ['-d', loop]);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** A unit at 192.0.2.10 with `config`; configure() is `juju config`, seen by the next hook. */
  class Unit {
    juju: FakeJuju;

    constructor(config: Record<string, ConfigValue>) {
      this.juju = new FakeJuju(aUnit().withAddress('192.0.2.10').withConfig(config));
    }

    configure(values: Record<string, ConfigValue>): void {
      const state = this.juju.state;
      this.juju = new FakeJuju({ ...state, config: { ...state.config, ...values } });
    }
  }

  async function run(unit: Unit): Promise<void> {
    if (!daemon) throw new Error('no daemon');
    const services: Services = servicesFor(hookEvent('config-changed', unit.juju.state), { juju: unit.juju, lxd: daemon.client, host, now: () => new Date() });
    await converge(services);
    unit.juju.commit();
  }

  test('an lvm pool over a volume group spanning two loop files, a refused filesystem, then nothing to do', async () => {
    const unit = new Unit({ 'block-devices': `${join(dir, 'a.img')}|256M ${join(dir, 'b.img')}|256M`, 'lvm-volume-group': vg, 'lvm-thinpool': false, 'bridge-ipv4': '10.213.0.1/24' });
    await run(unit);
    expect(unit.juju.unitStatus).toEqual({ status: 'active', message: expect.stringMatching(/^Unit is ready \(lvm pool lxd \d+(\.\d)? [MG]iB on 2 devices, bridge lxdbr0 10\.213\.0\.1\/24, listening 192\.0\.2\.10:8443, trust: password\+token\)$/) });

    const pvs = JSON.parse(sh('pvs', ['--reportformat', 'json', '-o', 'pv_name,vg_name', '-S', `vg_name=${vg}`])) as { report: Array<{ pv: Array<{ pv_name: string }> }> };
    expect(pvs.report[0]?.pv.map((p) => p.pv_name).sort()).toEqual([loopOf(join(dir, 'a.img')), loopOf(join(dir, 'b.img'))].sort());
    const pool = await daemon?.client.storagePool('lxd');
    expect(pool).toMatchObject({ driver: 'lvm', config: expect.objectContaining({ source: vg, 'lvm.vg_name': vg, 'lvm.use_thinpool': 'false' }) });

    // another machine adds this unit as a remote with the trust password: pinned server cert, password on stdin
    const password = unit.juju.state.secrets[0]?.revisions.at(-1)?.password ?? '';
    expect(password).toHaveLength(32);
    const conf = join(dir, 'client');
    const inNetns = (args: string[], input?: string): string =>
      execFileSync('nsenter', [`--net=/proc/${daemon?.pid}/ns/net`, 'lxc', ...args], { env: { PATH: process.env.PATH ?? '', LXD_CONF: conf }, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    execFileSync('mkdir', ['-p', join(conf, 'servercerts')]);
    execFileSync('cp', [join(daemon?.dir ?? '', 'server.crt'), join(conf, 'servercerts', 'unit0.crt')]);
    inNetns(['remote', 'add', 'unit0', 'https://192.0.2.10:8443'], `${password}\n`);
    expect(inNetns(['storage', 'list', 'unit0:', '--format', 'csv'])).toMatch(/^lxd,lvm,/m);

    // the same hook again: no LXD write (ETags unchanged), no state or status write
    const etags = async (): Promise<string[]> => Promise.all(['/1.0', '/1.0/networks/lxdbr0', '/1.0/profiles/default', '/1.0/storage-pools/lxd'].map(async (p) => (await daemon?.client.call('GET', p))?.etag ?? ''));
    const before = await etags();
    const writes = unit.juju.writes.length;
    await run(unit);
    expect(unit.juju.writes.slice(writes)).toEqual([]);
    expect(await etags()).toEqual(before);

    // a third device holding a filesystem is refused while overwrite=false, and nothing changes
    const fsFile = join(dir, 'c.img');
    unit.configure({ 'block-devices': `${String(unit.juju.state.config['block-devices'])} ${fsFile}|256M` });
    const loop = await host.attachLoopFile(fsFile, 256 * 1024 ** 2);
    sh('mkfs.ext4', ['-q', loop]);
    await run(unit);
    expect(unit.juju.unitStatus).toEqual({ status: 'blocked', message: `${fsFile} holds an ext4 filesystem; set overwrite=true to wipe it` });
    expect(sh('blkid', ['-p', '-o', 'value', '-s', 'TYPE', loop]).trim()).toBe('ext4');

    // overwrite=true: wiped once, the volume group grows
    unit.configure({ overwrite: true });
    await run(unit);
    expect(unit.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool lxd \d+(\.\d)? [MG]iB on 3 devices/);
    expect(sh('vgs', ['--noheadings', '-o', 'pv_count', vg]).trim()).toBe('3');
    expect(JSON.parse(unit.juju.state.charmState['wiped-devices'] ?? '[]')).toEqual([fsFile]);
  }, 120_000);

  test('a thin pool this kernel cannot make blocks with the remedy; lvm-thinpool=false then works', async () => {
    const unit = new Unit({ 'storage-pool': 'thin', 'block-devices': `${join(dir, 'd.img')}|256M`, 'lvm-volume-group': `${tag}_tvg`, 'lvm-thinpool': true, 'bridge-ipv4': '10.213.0.1/24' });
    await run(unit);
    expect(unit.juju.unitStatus.status).toBe('blocked');
    expect(unit.juju.unitStatus.message).toMatch(/^cannot create lvm storage pool thin: .*thin pool.*\(this kernel cannot make LVM thin pools: set lvm-thinpool=false\)$/);
    expect(unit.juju.unitStatus.message).not.toContain('\n');
    unit.configure({ 'lvm-thinpool': false });
    await run(unit);
    expect(unit.juju.unitStatus.message).toMatch(/^Unit is ready \(lvm pool thin \d+(\.\d)? [MG]iB on 1 device,/);
  }, 120_000);

  test.each([
    ['dir', {}],
    ['btrfs', { 'block-devices': 'e.img|256M' }],
  ])('a %s pool, converged and then left alone', async (type, extra) => {
    const devices = (extra as Record<string, string>)['block-devices'];
    const unit = new Unit({ 'storage-type': type, 'storage-pool': `${type}pool`, 'bridge-ipv4': '10.213.0.1/24', ...(devices ? { 'block-devices': join(dir, devices) } : {}) });
    await run(unit);
    expect(unit.juju.unitStatus.message).toMatch(new RegExp(`^Unit is ready \\(${type} pool ${type}pool`));
    const pool = await daemon?.client.storagePool(`${type}pool`);
    expect(pool?.driver).toBe(type);
    expect((await daemon?.client.profile('default'))?.devices.root).toEqual({ type: 'disk', path: '/', pool: `${type}pool` });
    const writes = unit.juju.writes.length;
    await run(unit);
    expect(unit.juju.writes.slice(writes)).toEqual([]);
  }, 120_000);
});
