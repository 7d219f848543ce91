// The event table: hook or action name → handler. Every hook named here gets a hooks/<name> entry
// point (a relative symlink to ../dispatch); hooks not named are logged and ignored.
import type { EventTable } from './juju/dispatcher';
import type { Handler, Services } from './handlers/services';
import { converge, install, remove, showConfig, stop } from './handlers/lifecycle';
import { operatorActions } from './handlers/actions';

const relationHooks = (endpoint: string, phases: readonly string[], handler: Handler): Record<string, Handler> =>
  Object.fromEntries(phases.map((phase) => [`${endpoint}-relation-${phase}`, handler]));

const ALL_PHASES = ['created', 'joined', 'changed', 'departed', 'broken'] as const;
// Juju never runs -broken on a peer relation
const PEER_PHASES = ['created', 'joined', 'changed', 'departed'] as const;

export const hooks: Readonly<Record<string, Handler>> = {
  install,
  'config-changed': converge,
  start: converge,
  'upgrade-charm': converge,
  'update-status': converge,
  'leader-elected': converge,
  'leader-settings-changed': converge,
  stop,
  remove,
  ...relationHooks('lxd', ALL_PHASES, converge),
  ...relationHooks('lxd-migration', PEER_PHASES, converge),
  ...relationHooks('container', ALL_PHASES, converge),
};

/** Actions declared in actions.yaml → handler. */
export const actions: Readonly<Record<string, Handler>> = {
  'show-config': showConfig,
  ...operatorActions,
};

export const eventTable: EventTable<Services> = { hooks, actions };

/** The hooks packaging must create hooks/<name> entry points for. */
export const handledHookNames: readonly string[] = Object.keys(hooks).sort();
