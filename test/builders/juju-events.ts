// JujuEvent values consistent with a JujuState: the relation, remote unit and principal come from it.
import { join } from 'node:path';
import type { ActionEvent, HookEvent, RelationContext, UnitContext } from '../../src/juju/context';
import type { UnitName } from '../../src/juju/hook-tools';
import { appOf, type JujuState } from '../fakes/juju-state';

const RELATION_HOOK = /^(.+)-relation-(created|joined|changed|departed|broken)$/;

export function unitContext(state: JujuState): UnitContext {
  const principal = state.relations.find((r) => r.endpoint === 'container');
  return {
    unitName: state.unit,
    appName: appOf(state.unit),
    modelName: 'test-model',
    modelUuid: '00000000-0000-4000-8000-000000000000',
    charmDir: join(__dirname, '..', '..'),
    principalUnit: Object.keys(principal?.remoteUnits ?? {})[0] ?? null,
    machineId: '0',
    jujuVersion: '3.6.4',
  };
}

export interface RelationHookOptions {
  /** which relation, when the endpoint has several; default: the first */
  readonly relationId?: string;
  /** default: the first remote unit for -joined/-changed/-departed, none for -created/-broken */
  readonly remoteUnit?: UnitName | null;
  /** -departed only; default: the remote unit */
  readonly departingUnit?: UnitName;
}

/** The event Juju would build for hook `name` on this state. */
export function hookEvent(name: string, state: JujuState, opts: RelationHookOptions = {}): HookEvent {
  const match = RELATION_HOOK.exec(name);
  if (!match) return { kind: 'hook', name, relation: null, unit: unitContext(state) };
  const [, endpoint = '', phase = ''] = match;
  const relation = state.relations.find((r) => r.endpoint === endpoint && (opts.relationId === undefined || r.id === opts.relationId));
  if (!relation) throw new Error(`hook ${name}: the state has no ${opts.relationId ?? endpoint} relation`);
  const firstRemote = Object.keys(relation.remoteUnits).sort()[0] ?? null;
  const remoteUnit = opts.remoteUnit !== undefined ? opts.remoteUnit : phase === 'created' || phase === 'broken' ? null : firstRemote;
  const context: RelationContext = {
    endpoint,
    id: relation.id,
    remoteApp: relation.remoteApp,
    remoteUnit,
    departingUnit: phase === 'departed' ? (opts.departingUnit ?? remoteUnit) : null,
  };
  return { kind: 'hook', name, relation: context, unit: unitContext(state) };
}

export function actionEvent(name: string, state: JujuState, actionId = '1'): ActionEvent {
  return { kind: 'action', name, actionId, unit: unitContext(state) };
}
