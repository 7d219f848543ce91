// The event table: hook or action name → handler. Every hook named here gets a hooks/<name> entry
// point (a relative symlink to ../dispatch); hooks not named are logged and ignored.
// Handler modules load when their event fires: a hook pulls in only the code, and the Node built-ins
// (tls, crypto, fs/promises…), it runs. update-status, the hook that fires every few minutes on every
// unit, stays light and loads converge only when it has something to do.
import type { EventTable } from './juju/dispatcher';
import type { Handler, Services } from './handlers/services';
import { byAction } from './handlers/actions/params.generated';
import { makeUpdateStatus } from './handlers/update-status';

const onDemand = (load: () => Promise<Handler>): Handler => async (s) => (await load())(s);
const lifecycle = (): Promise<typeof import('./handlers/lifecycle')> => import('./handlers/lifecycle');

export const converge: Handler = onDemand(async () => (await lifecycle()).converge);
export const updateStatus: Handler = makeUpdateStatus(converge);

const relationHooks = (endpoint: string, phases: readonly string[], handler: Handler): Record<string, Handler> =>
  Object.fromEntries(phases.map((phase) => [`${endpoint}-relation-${phase}`, handler]));

const ALL_PHASES = ['created', 'joined', 'changed', 'departed', 'broken'] as const;
// Juju never runs -broken on a peer relation
const PEER_PHASES = ['created', 'joined', 'changed', 'departed'] as const;

export const hooks: Readonly<Record<string, Handler>> = {
  install: onDemand(async () => (await lifecycle()).install),
  'config-changed': converge,
  start: converge,
  'upgrade-charm': converge,
  'update-status': updateStatus,
  'leader-elected': converge,
  'leader-settings-changed': converge,
  stop: onDemand(async () => (await lifecycle()).stop),
  remove: onDemand(async () => (await lifecycle()).remove),
  ...relationHooks('lxd', ALL_PHASES, converge),
  ...relationHooks('lxd-migration', PEER_PHASES, converge),
  ...relationHooks('container', ALL_PHASES, converge),
  ...relationHooks('https', ALL_PHASES, converge),
  // Juju storage `local` (metadata.yaml): a device joins the pool, or may leave it only when nothing is on it
  'local-storage-attached': onDemand(async () => (await lifecycle()).storageAttached),
  'local-storage-detaching': converge,
};

/** Actions declared in actions.yaml → handler (the names come from the generated params validators). */
const action = (name: string): Handler =>
  onDemand(async () => {
    const handlers = name === 'show-config' ? { 'show-config': (await lifecycle()).showConfig } : (await import('./handlers/actions')).operatorActions;
    const handler = handlers[name];
    if (!handler) throw new Error(`action ${name} is declared in actions.yaml but has no handler`);
    return handler;
  });

export const actions: Readonly<Record<string, Handler>> = Object.fromEntries(Object.keys(byAction).sort().map((name) => [name, action(name)]));

export const eventTable: EventTable<Services> = { hooks, actions };

/** The hooks packaging must create hooks/<name> entry points for. */
export const handledHookNames: readonly string[] = Object.keys(hooks).sort();
