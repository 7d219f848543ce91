// pause / resume, as OpenStack charms do them: pause stops the LXD daemon through the init system and
// remembers when (charm state paused-since), so every hook leaves the unit paused; resume starts LXD,
// waits for its API and converges at once. Stopping LXD shuts its running instances down (Debian's
// lxd-containers.service and the snap both run `lxd shutdown`), so pause refuses while any run unless
// force=true: pausing a nova compute host with running guests is usually a mistake.
import { HostCommandError } from '../../host/host';
import type { LxdApi } from '../../lxd/lxd-api';
import { stateChanges, STATE_KEYS } from '../../model/charm-state';
import { PAUSED } from '../../model/status';
import { lxdPackaging, readInputs } from '../inputs';
import type { Handler, Services } from '../services';
import { ActionRefused, defineAction, type Results } from './action';

/** how long resume waits for LXD's API once the init system started it */
export const RESUME_WAIT_MS = 120_000;

export type PauseIo = Pick<LxdApi, 'runningInstances'>;

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const listed = (names: readonly string[]): string => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));

export function makePause(ioOf: (s: Services) => PauseIo = (s) => s.lxd): Handler {
  return defineAction<{ force?: boolean }>('pause', async (params, s): Promise<Results> => {
    const force = params.force === true;
    const inputs = await readInputs(s);
    const { stateBag: bag, state } = inputs;
    const packaging = await lxdPackaging(inputs, s);
    const running = await s.host.lxdRunning(packaging);
    if (state.pausedSince) {
      return {
        result: `already paused since ${state.pausedSince}: nothing changed`,
        'paused-since': state.pausedSince,
        stopped: String(!running),
        ...(running ? { warning: 'LXD runs although the unit is paused (started outside the charm?): run resume, then pause again if LXD should stay stopped' } : {}),
      };
    }

    let instances: string[] = [];
    if (running) {
      try {
        instances = await ioOf(s).runningInstances();
      } catch (err) {
        if (!force) throw new ActionRefused(`cannot list LXD's instances (${reason(err)}), so pause cannot tell whether stopping LXD would stop any; nothing changed; run again with force=true to pause anyway`);
        await s.juju.actionLog(`cannot list LXD's instances (${reason(err)}); pausing anyway (force=true)`);
      }
    }
    if (instances.length > 0 && !force) {
      throw new ActionRefused(
        `${instances.length} instance${instances.length === 1 ? ' is' : 's are'} running on ${s.event.unit.unitName} (${listed(instances)}): pausing stops LXD, which shuts ${instances.length === 1 ? 'it' : 'them'} down ` +
          '(LXD starts them again on resume). Nothing changed; migrate or stop them first, or run again with force=true',
      );
    }

    if (running) {
      await s.juju.actionLog(instances.length > 0 ? `stopping LXD; its shutdown stops ${listed(instances)}` : 'stopping LXD');
      try {
        await s.host.stopLxd(packaging);
      } catch (err) {
        if (!(err instanceof HostCommandError)) throw err;
        throw new ActionRefused(`stopping LXD failed: ${err.message}; the unit is not paused; check the init system (systemctl status lxd.service) and run pause again`);
      }
      if (await s.host.lxdRunning(packaging)) {
        throw new ActionRefused('the init system still reports LXD active after stopping it; the unit is not paused; check systemctl status lxd.service lxd.socket and run pause again');
      }
    }

    const since = s.now().toISOString();
    const changes = stateChanges(bag, { ...state, pausedSince: since, lastStatus: `${PAUSED.status}|${PAUSED.message}` });
    await s.juju.stateSet(changes);
    await s.juju.statusSet(PAUSED);
    return {
      stopped: 'true',
      'paused-since': since,
      'stopped-instances': instances.length > 0 ? instances.join(',') : 'none',
      packaging,
      result: running ? 'LXD is stopped; hooks leave this unit alone until the resume action' : 'LXD was not running; the unit is paused until the resume action',
    };
  });
}

export function makeResume(converge: Handler): Handler {
  return defineAction<Record<string, never>>('resume', async (_params, s): Promise<Results> => {
    const inputs = await readInputs(s);
    const { state } = inputs;
    const packaging = await lxdPackaging(inputs, s);
    if (!state.pausedSince) {
      return { result: 'not paused: nothing changed', running: String(await s.host.lxdRunning(packaging)) };
    }
    await s.juju.actionLog('starting LXD');
    try {
      await s.host.startLxd(packaging);
    } catch (err) {
      if (!(err instanceof HostCommandError)) throw err;
      throw new ActionRefused(`starting LXD failed: ${err.message}; the unit stays paused; see /var/log/lxd/lxd.log (the snap: snap logs lxd) and run resume again`);
    }
    try {
      await s.lxd.waitReady(RESUME_WAIT_MS);
    } catch (err) {
      throw new ActionRefused(`LXD was started but its API did not answer within ${RESUME_WAIT_MS / 1000} s (${reason(err)}); the unit stays paused; see /var/log/lxd/lxd.log and run resume again`);
    }
    await s.juju.stateSet({ [STATE_KEYS.pausedSince]: '' });
    await converge(s);
    const status = await s.juju.statusGet();
    return {
      resumed: 'true',
      'paused-since': state.pausedSince,
      status: `${status.status}: ${status.message}`,
      result: 'LXD answers again and the charm converged',
    };
  });
}

export const pause: Handler = makePause();
/** resume converges with the charm's own converge once LXD answers again */
export const resume: Handler = async (s) => makeResume((await import('../lifecycle')).resumeConverge)(s);
