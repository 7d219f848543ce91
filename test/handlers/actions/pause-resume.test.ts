// pause and resume: params, results and every refusal, over FakeJuju, FakeHost (the init system) and a
// scripted instance list; then the whole cycle through the real event table: converge, pause,
// update-status leaving the unit paused, resume converging back to active.
import { aUnit } from '../../builders/juju-state';
import { actionEvent } from '../../builders/juju-events';
import { runAction, runHook } from '../../builders/run-hook';
import { FakeHost, type FakeHostOptions } from '../../fakes/fake-host';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import type { JujuState } from '../../fakes/juju-state';
import { makePause, makeResume, type PauseIo } from '../../../src/handlers/actions/pause-resume';
import { runningInstanceNames } from '../../../src/lxd/socket-client';
import { servicesFor } from '../../builders/run-hook';
import type { Handler, Services } from '../../../src/handlers/services';
import { dispatchEvent } from '../../../src/juju/dispatcher';
import { LxdApiError } from '../../../src/lxd/lxd-api';
import { PAUSED } from '../../../src/model/status';

const NOW = new Date('2026-11-27T00:00:00.000Z');
const PAUSED_KEY = `${PAUSED.status}|${PAUSED.message}`;
const READY = { status: 'active', message: 'Unit is ready' } as const;

interface Setup {
  readonly state?: Record<string, string>;
  readonly host?: FakeHostOptions;
  readonly instances?: string[] | Error;
  readonly lxd?: FakeLxd;
  readonly config?: Record<string, string | boolean>;
}

function world(action: 'pause' | 'resume', params: Record<string, unknown>, setup: Setup = {}) {
  const juju = new FakeJuju(aUnit().withConfig(setup.config ?? {}).withState(setup.state ?? {}).withStatus(READY).runningAction(action, params));
  const host = new FakeHost(setup.host ?? {});
  const lxd = setup.lxd ?? new FakeLxd();
  const io: PauseIo = {
    runningInstances: async () => {
      if (setup.instances instanceof Error) throw setup.instances;
      return setup.instances ?? [];
    },
  };
  const converged: string[] = [];
  // stands in for lifecycle's resumeConverge: reports what a converge would
  const converge: Handler = async (s) => {
    converged.push(s.event.name);
    await s.juju.statusSet(READY);
  };
  const handlers = { pause: makePause(() => io), resume: makeResume(converge) };
  const run = async (): Promise<number> => {
    const services: Services = servicesFor(actionEvent(action, juju.state), { juju, lxd, host, now: () => NOW });
    const exit = await dispatchEvent(services, { hooks: {}, actions: handlers }, () => undefined);
    if (exit === 0) juju.commit();
    else juju.rollback();
    return exit;
  };
  return { juju, host, converged, run };
}

describe('pause', () => {
  test('stops LXD through the init system, remembers when, and says how to resume', async () => {
    const w = world('pause', { force: false });
    expect(await w.run()).toBe(0);
    expect(w.host.actions).toEqual(['stop lxd (distro)']);
    expect(w.host.lxdIsRunning).toBe(false);
    expect(w.juju.state.action).toMatchObject({
      failed: null,
      results: { stopped: 'true', 'paused-since': '2026-11-27T00:00:00.000Z', 'stopped-instances': 'none', packaging: 'distro', result: 'LXD is stopped; hooks leave this unit alone until the resume action' },
    });
    expect(w.juju.state.charmState).toMatchObject({ 'paused-since': '2026-11-27T00:00:00.000Z', 'last-status': PAUSED_KEY });
    expect(w.juju.unitStatus).toEqual(PAUSED);
    expect(PAUSED.message).toBe("Paused. Use 'resume' action to resume normal service.");
  });

  test('refuses while instances run, naming them; nothing is stopped or remembered', async () => {
    const w = world('pause', { force: false }, { instances: ['c1', 'nova/instance-0000002a'] });
    expect(await w.run()).toBe(0);
    expect(w.juju.state.action?.failed).toBe(
      '2 instances are running on lxd/0 (c1, nova/instance-0000002a): pausing stops LXD, which shuts them down (LXD starts them again on resume). ' +
        'Nothing changed; migrate or stop them first, or run again with force=true',
    );
    expect(w.host.actions).toEqual([]);
    expect(w.juju.state.charmState['paused-since']).toBeUndefined();
    expect(w.juju.unitStatus).toEqual(READY);
  });

  test('force=true pauses anyway and reports the instances LXD shut down', async () => {
    const w = world('pause', { force: true }, { instances: ['c1'] });
    expect(await w.run()).toBe(0);
    expect(w.juju.state.action?.results).toMatchObject({ stopped: 'true', 'stopped-instances': 'c1' });
    expect(w.juju.state.action?.logs).toEqual(['stopping LXD; its shutdown stops c1']);
    expect(w.host.lxdIsRunning).toBe(false);
  });

  test('an instance list LXD cannot give is a refusal unless forced', async () => {
    const broken = new LxdApiError(500, 'GET', '/1.0/instances', 'database is locked');
    const refused = world('pause', { force: false }, { instances: broken });
    await refused.run();
    expect(refused.juju.state.action?.failed).toMatch(/^cannot list LXD's instances \(LXD GET \/1\.0\/instances failed \(500\): database is locked\), .*run again with force=true/);
    expect(refused.host.lxdIsRunning).toBe(true);
    const forced = world('pause', { force: true }, { instances: broken });
    await forced.run();
    expect(forced.juju.state.action?.results.stopped).toBe('true');
  });

  test('pausing a paused unit changes nothing and says since when', async () => {
    const w = world('pause', { force: false }, { state: { 'paused-since': '2026-11-26T10:00:00.000Z', 'last-status': PAUSED_KEY }, host: { lxdRunning: false } });
    expect(await w.run()).toBe(0);
    expect(w.juju.state.action?.results).toEqual({ result: 'already paused since 2026-11-26T10:00:00.000Z: nothing changed', 'paused-since': '2026-11-26T10:00:00.000Z', stopped: 'true' });
    expect(w.host.actions).toEqual([]);
    expect(w.juju.writes).toEqual([]);
  });

  test('a paused unit whose LXD was started by hand is reported, not touched', async () => {
    const w = world('pause', { force: false }, { state: { 'paused-since': '2026-11-26T10:00:00.000Z' }, host: { lxdRunning: true } });
    await w.run();
    expect(w.juju.state.action?.results).toMatchObject({ stopped: 'false', warning: expect.stringMatching(/^LXD runs although the unit is paused/) });
    expect(w.host.actions).toEqual([]);
  });

  test('LXD already stopped: the unit is paused without stopping anything', async () => {
    const w = world('pause', { force: false }, { host: { lxdRunning: false } });
    await w.run();
    expect(w.juju.state.action?.results).toMatchObject({ stopped: 'true', result: 'LXD was not running; the unit is paused until the resume action' });
    expect(w.host.actions).toEqual([]);
    expect(w.juju.state.charmState['paused-since']).toBe(NOW.toISOString());
  });

  test("the init system's failure, or an LXD that keeps running, leaves the unit unpaused", async () => {
    const failing = world('pause', { force: false }, { host: { lxdStopFails: 'Failed to stop lxd.service: Access denied' } });
    await failing.run();
    expect(failing.juju.state.action?.failed).toBe('stopping LXD failed: systemctl failed (exit 1): Failed to stop lxd.service: Access denied; the unit is not paused; check the init system (systemctl status lxd.service) and run pause again');
    expect(failing.juju.state.charmState['paused-since']).toBeUndefined();
    const stubborn = world('pause', { force: false }, { host: { lxdIgnoresStop: true } });
    await stubborn.run();
    expect(stubborn.juju.state.action?.failed).toMatch(/^the init system still reports LXD active after stopping it; the unit is not paused/);
    expect(stubborn.juju.unitStatus).toEqual(READY);
  });

  test('on Ubuntu (install-source auto) the snap is stopped', async () => {
    const w = world('pause', {}, { host: { os: { id: 'ubuntu', versionId: '22.04' } } });
    await w.run();
    expect(w.host.actions).toEqual(['stop lxd (snap)']);
    expect(w.juju.state.action?.results.packaging).toBe('snap');
  });

  test('bad parameters are refused before anything is done, every problem at once', async () => {
    const w = world('pause', { force: 'yes', now: true });
    await w.run();
    expect(w.juju.state.action?.failed).toBe('invalid parameters: unknown parameter "now"; force must be boolean; see `juju actions lxd --schema`');
    expect(w.host.actions).toEqual([]);
  });
});

describe('resume', () => {
  const paused = { 'paused-since': '2026-11-26T10:00:00.000Z', 'last-status': PAUSED_KEY };

  test('starts LXD, waits for its API, forgets the pause and converges', async () => {
    const w = world('resume', {}, { state: paused, host: { lxdRunning: false } });
    expect(await w.run()).toBe(0);
    expect(w.host.actions).toEqual(['start lxd (distro)']);
    expect(w.converged).toEqual(['resume']);
    expect(w.juju.state.charmState['paused-since']).toBe(''); // forgotten: Juju's state-set keeps "", read as unset
    expect(w.juju.state.action).toMatchObject({
      failed: null,
      results: { resumed: 'true', 'paused-since': '2026-11-26T10:00:00.000Z', status: 'active: Unit is ready', result: 'LXD answers again and the charm converged' },
    });
    expect(w.juju.unitStatus).toEqual(READY);
  });

  test('a unit that is not paused: nothing changes', async () => {
    const w = world('resume', {}, {});
    await w.run();
    expect(w.juju.state.action?.results).toEqual({ result: 'not paused: nothing changed', running: 'true' });
    expect(w.host.actions).toEqual([]);
    expect(w.converged).toEqual([]);
  });

  test('LXD that will not start, or whose API stays silent, leaves the unit paused', async () => {
    const failing = world('resume', {}, { state: paused, host: { lxdRunning: false, lxdStartFails: 'Job for lxd.service failed' } });
    await failing.run();
    expect(failing.juju.state.action?.failed).toBe('starting LXD failed: systemctl failed (exit 1): Job for lxd.service failed; the unit stays paused; see /var/log/lxd/lxd.log (the snap: snap logs lxd) and run resume again');
    expect(failing.juju.state.charmState['paused-since']).toBe(paused['paused-since']);
    const silent = world('resume', {}, { state: paused, host: { lxdRunning: false }, lxd: new FakeLxd({ down: true }) });
    await silent.run();
    expect(silent.juju.state.action?.failed).toMatch(/^LXD was started but its API did not answer within 120 s \(.*connect ENOENT\); the unit stays paused/);
    expect(silent.converged).toEqual([]);
    expect(silent.juju.unitStatus).toEqual(READY);
  });

  test('resume takes no parameters', async () => {
    const w = world('resume', { force: true }, { state: paused });
    await w.run();
    expect(w.juju.state.action?.failed).toBe('invalid parameters: unknown parameter "force"; see `juju actions lxd --schema`');
    expect(w.host.actions).toEqual([]);
  });
});

test('running instances: only Running ones, project-qualified outside the default project, sorted', () => {
  expect(
    runningInstanceNames([
      { name: 'web', status: 'Running', project: 'default' },
      { name: 'instance-0000002a', status: 'Running', project: 'nova' },
      { name: 'off', status: 'Stopped', project: 'default' },
      { name: 'frozen', status: 'Frozen' },
      { name: 'b', status: 'Running' },
      { status: 'Running' },
    ]),
  ).toEqual(['b', 'nova/instance-0000002a', 'web']);
  expect(runningInstanceNames(null)).toEqual([]);
});

test('the real event table: update-status leaves a paused unit paused; resume converges back to active', async () => {
  const lxd = new FakeLxd();
  const host = new FakeHost();
  const withAction = (state: JujuState, name: string): FakeJuju => new FakeJuju({ ...state, action: { name, params: {}, results: {}, failed: null, logs: [] } });
  let juju = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }));
  expect((await runHook('config-changed', { juju, lxd, host })).exitCode).toBe(0);
  expect(juju.unitStatus.status).toBe('active');

  // pause as the operator would, LXD listing only a stopped instance
  lxd.instances.push({ name: 'c1', status: 'Stopped' });
  juju = withAction(juju.state, 'pause');
  expect((await runAction('pause', { juju, lxd, host })).exitCode).toBe(0);
  expect(juju.unitStatus).toEqual(PAUSED);

  const writes = lxd.writes.length;
  expect((await runHook('update-status', { juju, lxd, host })).exitCode).toBe(0);
  expect((await runHook('config-changed', { juju, lxd, host })).exitCode).toBe(0);
  expect(juju.unitStatus).toEqual(PAUSED);
  expect(lxd.writes.slice(writes)).toEqual([]);

  juju = withAction(juju.state, 'resume');
  expect((await runAction('resume', { juju, lxd, host })).exitCode).toBe(0);
  expect(juju.state.action?.failed).toBeNull();
  expect(host.actions.slice(-2)).toEqual(['stop lxd (distro)', 'start lxd (distro)']);
  expect(juju.state.charmState['paused-since']).toBe(''); // forgotten: Juju's state-set keeps "", read as unset
  expect(juju.unitStatus.status).toBe('active');
  expect(juju.state.action?.results.status).toBe(`active: ${juju.unitStatus.message}`);
});
