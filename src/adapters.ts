// Builds every adapter a handler needs: the only place that picks real implementations, and (with
// main.ts) the only one that reads the environment. Adapters whose modules load node built-ins a
// quiet hook never needs (https, tls) load them on first use.
import { hostname as osHostname } from 'node:os';
import type { HookTools } from './juju/hook-tools';
import type { JujuEvent } from './juju/context';
import type { Services } from './handlers/services';
import { ExecHost } from './host/exec-host';
import { FsHostsFile } from './host/fs-hosts-file';
import { CharmDirMemo } from './juju/unit-memo';
import { FsClientConfigStore } from './lxd/fs-client-config';
import { lxcAs, type LxcClient } from './lxd/lxc-client';
import { LxdSocketClient } from './lxd/socket-client';
import { FsMetricsFiles } from './lxd/metrics-files';
import { clientPackaging, findSocket } from './lxd/socket-path';

export function createServices(event: JujuEvent, juju: HookTools, env: Readonly<Record<string, string | undefined>> = process.env): Services {
  const socketPath = findSocket(env);
  const clients = new FsClientConfigStore({ root: '/', packaging: clientPackaging(socketPath) });
  const hostname = osHostname();
  const lxc: LxcClient = {
    run: lxcAs,
    probe: async (url, timeoutMs) => (await import('./lxd/remote-probe')).probeRemote(url, timeoutMs),
    joinLegacy: async (user, remote, password) => (await import('./lxd/legacy-join')).makeLegacyJoiner({ clients, hostname })(user, remote, password),
  };
  return {
    event,
    juju,
    now: () => new Date(),
    lxd: new LxdSocketClient({ socketPath }),
    host: new ExecHost(),
    clients,
    lxc,
    hosts: new FsHostsFile('/etc/hosts'),
    hostname,
    metrics: new FsMetricsFiles(),
    memo: new CharmDirMemo(),
  };
}
