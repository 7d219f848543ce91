// Everything a handler may touch, passed in: the charm's core never reaches for process, execa or sockets.
import type { HookTools } from '../juju/hook-tools';
import type { JujuEvent } from '../juju/context';

export interface Services {
  readonly event: JujuEvent;
  readonly juju: HookTools;
  /** injected so that tests control time */
  readonly now: () => Date;
}

export type Handler = (services: Services) => Promise<void>;
