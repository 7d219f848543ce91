// Everything a handler may touch, passed in: the charm's core never reaches for process, execa or sockets.
import type { HookTools } from '../juju/hook-tools';
import type { JujuEvent } from '../juju/context';
import type { LxdApi } from '../lxd/lxd-api';
import type { Host } from '../host/host';
import type { UnitMemo } from '../juju/unit-memo';

export interface Services {
  readonly event: JujuEvent;
  readonly juju: HookTools;
  /** injected so that tests control time */
  readonly now: () => Date;
  /** LXD's REST API over its unix socket */
  readonly lxd: LxdApi;
  /** packages, devices, LVM, users and kernel of this machine */
  readonly host: Host;
  /** what the last converge left for update-status; absent: update-status always converges */
  readonly memo?: UnitMemo;
}

export type Handler = (services: Services) => Promise<void>;
