// Builds every adapter a handler needs: the only place that picks real implementations.
import type { HookTools } from './juju/hook-tools';
import type { JujuEvent } from './juju/context';
import type { Services } from './handlers/services';
import { ExecHost } from './host/exec-host';
import { CharmDirMemo } from './juju/unit-memo';
import { LxdSocketClient } from './lxd/socket-client';
import { findSocket } from './lxd/socket-path';

export function createServices(event: JujuEvent, juju: HookTools, env: Readonly<Record<string, string | undefined>> = process.env): Services {
  return {
    event,
    juju,
    now: () => new Date(),
    lxd: new LxdSocketClient({ socketPath: findSocket(env) }),
    host: new ExecHost(),
    memo: new CharmDirMemo(),
  };
}
