// pause and resume on a real unit: instances listed over LXD's socket, resume converging with the
// charm's own converge (lifecycle.ts). Loaded only when one of them runs.
import { LxdApiError } from '../../lxd/lxd-api';
import { LxdSocketClient } from '../../lxd/socket-client';
import { findSocket } from '../../lxd/socket-path';
import { resumeConverge } from '../lifecycle';
import type { Services } from '../services';
import { makePause, makeResume, runningInstanceNames, type PauseIo } from './pause-resume';

function socketIo(s: Services): PauseIo {
  const client = s.lxd instanceof LxdSocketClient ? s.lxd : new LxdSocketClient({ socketPath: findSocket(process.env) });
  return {
    async runningInstances() {
      try {
        return runningInstanceNames((await client.call('GET', '/1.0/instances?recursion=1&all-projects=true')).metadata);
      } catch (err) {
        // a daemon without the all-projects filter: the default project is all it can tell
        if (!(err instanceof LxdApiError && err.status === 400)) throw err;
        return runningInstanceNames((await client.call('GET', '/1.0/instances?recursion=1')).metadata);
      }
    },
  };
}

export const pause = makePause(socketIo);
export const resume = makeResume(resumeConverge);
