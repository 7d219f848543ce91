// Everything a handler may touch, passed in: the charm's core never reaches for process, child
// processes or sockets. src/adapters.ts builds the real ones; tests pass fakes.
import type { HookTools } from '../juju/hook-tools';
import type { JujuEvent } from '../juju/context';
import type { LxdApi } from '../lxd/lxd-api';
import type { ClientConfigStore } from '../lxd/client-config-store';
import type { LxcClient } from '../lxd/lxc-client';
import type { Host } from '../host/host';
import type { HostsFile } from '../model/peer-hosts';
import type { UnitMemo } from '../juju/unit-memo';

export interface Services {
  readonly event: JujuEvent;
  readonly juju: HookTools;
  /** injected so that tests control time */
  readonly now: () => Date;
  /** LXD's REST API over its unix socket, trust administration included */
  readonly lxd: LxdApi;
  /** packages, devices, LVM, users and kernel of this machine */
  readonly host: Host;
  /** each local user's lxc client files (remotes, pins, client certificate) and passwd */
  readonly clients: ClientConfigStore;
  /** lxc as a user, TLS probes of remotes, legacy password joins */
  readonly lxc: LxcClient;
  /** /etc/hosts, where the peers' host names resolve to their published addresses */
  readonly hosts: HostsFile;
  /** this machine's host name: the remote name its peers give it */
  readonly hostname: string;
  /** what the last converge left for update-status; absent: update-status always converges */
  readonly memo?: UnitMemo;
}

export type Handler = (services: Services) => Promise<void>;
