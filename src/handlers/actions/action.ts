// The frame every action runs in: action-get, params checked against actions.yaml (build-time ajv code),
// the body, then action-set of its results; a refusal or an LXD error becomes an action-fail that says
// what to do. Results are strings: action-set carries nothing else.
import { LxdApiError } from '../../lxd/lxd-api';
import { withRecheck } from '../../reconcile/quick-check';
import type { Handler, Services } from '../services';
import { byAction, type SchemaError } from './params.generated';

/** A refusal the operator can act on: its message is the action-fail text. */
export class ActionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export type Results = Readonly<Record<string, string | Readonly<Record<string, unknown>>>>;

const describe = (e: SchemaError): string => {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'parameters';
  if (e.keyword === 'additionalProperties') return `unknown parameter "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `missing parameter "${String(e.params.missingProperty)}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
};

/** Params as Juju delivered them, checked against the action's declared schema; a list of every problem otherwise. */
export function checkParams(action: string, params: unknown): string[] {
  const validate = byAction[action];
  if (!validate) return [`action ${action} has no declared parameters (is actions.yaml in the charm?)`];
  return validate(params) ? [] : (validate.errors ?? []).map(describe);
}

/** What an action saw when LXD has no network listener although the charm keeps one. */
export const NOT_LISTENING = 'LXD not listening on the network';

/**
 * An action saw LXD off the state the last converge left (a hand change the hooks' quick paths only
 * notice at the hourly full check): the next hook, whatever it is, converges fully and repairs it.
 */
export async function askNextHookToRecheck(s: Services, seen: string): Promise<void> {
  if (!s.memo) return;
  const text = withRecheck(await s.memo.read(), seen);
  if (text !== null) await s.memo.write(text);
}

export interface ActionBody<P> {
  (params: P, s: Services): Promise<Results>;
}

/** A Handler for `name`: P is what the body reads from the validated params. */
export function defineAction<P>(name: string, body: ActionBody<P>): Handler {
  return async (s) => {
    const params = await s.juju.actionGet();
    const problems = checkParams(name, params);
    if (problems.length > 0) {
      await s.juju.actionFail(`invalid parameters: ${problems.join('; ')}; see \`juju actions lxd --schema\``);
      return;
    }
    let results: Results;
    try {
      results = await body(params as P, s);
    } catch (err) {
      if (err instanceof ActionRefused) return s.juju.actionFail(err.message);
      if (err instanceof LxdApiError) return s.juju.actionFail(`${err.message}; check that LXD runs on this unit (show-config) and try again`);
      throw err;
    }
    await s.juju.actionSet(results);
  };
}
