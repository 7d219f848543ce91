// Disk and package faults, through the charm's event table with the fakes: a package that will not
// install, and the charm directory full when the memo is written.
import type { UnitMemo } from '../../src/juju/unit-memo';
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';
import { MemoryMemo } from '../fakes/memory-memo';

/** a memo whose next `full` writes fail as a full disk does; what was there stays whole */
class FullDiskMemo implements UnitMemo {
  constructor(
    readonly inner: MemoryMemo,
    public full: number,
  ) {}
  get charmVersion(): string {
    return this.inner.charmVersion;
  }
  read(): Promise<string | null> {
    return this.inner.read();
  }
  async write(text: string): Promise<void> {
    if (this.full > 0) {
      this.full -= 1;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    await this.inner.write(text);
  }
}

describe('disk and package faults', () => {
  test('a package install failing: blocked naming the package; the next hook, with the archive back, installs it and the unit is ready', async () => {
    const juju = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }));
    const lxd = new FakeLxd();
    const broken = { juju, lxd, host: new FakeHost({ packages: [], broken: { 'dnsmasq-base': 'E: Unable to fetch some archives' } }) };
    expect((await runHook('install', broken)).exitCode).toBe(0);
    expect(juju.unitStatus).toEqual({ status: 'blocked', message: 'cannot install dnsmasq-base: E: Unable to fetch some archives' });
    const fixed = { juju, lxd, host: new FakeHost({ packages: [] }) };
    expect((await runHook('update-status', fixed)).exitCode).toBe(0);
    expect(fixed.host.actions[0]).toMatch(/^apt-get install .*dnsmasq-base/);
    expect(juju.unitStatus.status).toBe('active');
  });

  test('the charm directory full when the memo is written: the hook fails (Juju retries), the old memo stays whole, the retry converges', async () => {
    const juju = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }));
    const world = { juju, lxd: new FakeLxd(), host: new FakeHost(), memo: new FullDiskMemo(new MemoryMemo('{"old":true}'), 1) };
    const first = await runHook('config-changed', world);
    expect(first.exitCode).not.toBe(0);
    expect(await world.memo.read()).toBe('{"old":true}');
    expect((await runHook('config-changed', world)).exitCode).toBe(0);
    expect(JSON.parse((await world.memo.read()) ?? '')).toMatchObject({ lastStatus: expect.stringContaining('active') });
    expect(juju.unitStatus.status).toBe('active');
  });
});
