// The event Juju is running, read once from the JUJU_* environment (contract §2) into a typed value.
// Pure: it takes the environment as an argument; only src/main.ts passes process.env.
import type { AppName, RelationId, UnitName } from './hook-tools';

type Env = Readonly<Record<string, string | undefined>>;

/** Who and where this unit is: the same for every event. */
export interface UnitContext {
  readonly unitName: UnitName;
  readonly appName: AppName;
  readonly modelName: string;
  readonly modelUuid: string;
  readonly charmDir: string;
  /** the principal unit of this subordinate (JUJU_PRINCIPAL_UNIT), null on a principal */
  readonly principalUnit: UnitName | null;
  readonly machineId: string | null;
  readonly jujuVersion: string;
}

/** The relation a relation hook is about. */
export interface RelationContext {
  readonly endpoint: string;
  readonly id: RelationId;
  readonly remoteApp: AppName;
  /** null in -created, -broken and app-bag-only -changed hooks */
  readonly remoteUnit: UnitName | null;
  /** only in -departed: the unit leaving (this unit itself when it is the one leaving) */
  readonly departingUnit: UnitName | null;
}

/** The storage instance a `<name>-storage-attached`/`-detaching` hook is about (JUJU_STORAGE_*). */
export interface StorageContext {
  /** "local/0" */
  readonly id: string;
  /** the storage name from metadata.yaml: "local" */
  readonly name: string;
  readonly location: string;
  readonly kind: string;
}

export interface HookEvent {
  readonly kind: 'hook';
  /** the hook name, e.g. `lxd-migration-relation-changed` */
  readonly name: string;
  readonly relation: RelationContext | null;
  /** storage hooks only */
  readonly storage?: StorageContext;
  readonly unit: UnitContext;
}

export interface ActionEvent {
  readonly kind: 'action';
  readonly name: string;
  /** JUJU_ACTION_UUID: a number in Juju 3, a UUID before */
  readonly actionId: string;
  readonly unit: UnitContext;
}

export type JujuEvent = HookEvent | ActionEvent;

/** The environment does not describe a Juju hook or action; `problems` lists every reason at once. */
export class JujuContextError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`not a Juju hook or action environment: ${problems.join('; ')}`);
    this.name = 'JujuContextError';
  }
}

const UNIT_NAME = /^([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)\/(\d+)$/;
const EVENT_NAME = /^[a-z0-9][a-z0-9-]*$/;
const RELATION_ID = /^([a-z][a-z0-9-]*):(\d+)$/;
const RELATION_HOOK = /^(.+)-relation-(created|joined|changed|departed|broken)$/;

const nonEmpty = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/** `hooks/install`, `actions/show-config`, or dispatch's argv[0] (`/…/charm/hooks/install`) → kind and name. */
function parseDispatchPath(path: string): { kind: 'hook' | 'action'; name: string } | null {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const name = parts[parts.length - 1];
  const dir = parts[parts.length - 2];
  if (name === undefined || (dir !== 'hooks' && dir !== 'actions')) return null;
  return { kind: dir === 'hooks' ? 'hook' : 'action', name };
}

function eventKindAndName(env: Env, problems: string[]): { kind: 'hook' | 'action'; name: string } | null {
  const dispatchPath = nonEmpty(env.JUJU_DISPATCH_PATH);
  const fromPath = dispatchPath === null ? null : parseDispatchPath(dispatchPath);
  if (dispatchPath !== null && fromPath === null) {
    problems.push(`JUJU_DISPATCH_PATH "${dispatchPath}" is neither hooks/<name> nor actions/<name>`);
    return null;
  }
  const actionName = nonEmpty(env.JUJU_ACTION_NAME);
  const hookName = nonEmpty(env.JUJU_HOOK_NAME);
  // agents older than 2.8 set no JUJU_DISPATCH_PATH: fall back to the hook or action variables
  const chosen = fromPath ?? (actionName !== null ? { kind: 'action' as const, name: actionName } : hookName !== null ? { kind: 'hook' as const, name: hookName } : null);
  if (chosen === null) {
    problems.push('none of JUJU_DISPATCH_PATH, JUJU_HOOK_NAME or JUJU_ACTION_NAME names an event');
    return null;
  }
  if (!EVENT_NAME.test(chosen.name)) {
    problems.push(`event name "${chosen.name}" is not a valid hook or action name`);
    return null;
  }
  return chosen;
}

function readUnit(env: Env, problems: string[]): UnitContext | null {
  const required = (name: string): string => {
    const value = nonEmpty(env[name]);
    if (value === null) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const unitName = required('JUJU_UNIT_NAME');
  const charmDir = nonEmpty(env.JUJU_CHARM_DIR) ?? nonEmpty(env.CHARM_DIR);
  if (charmDir === null) problems.push('JUJU_CHARM_DIR is not set');
  const modelName = required('JUJU_MODEL_NAME');
  const modelUuid = required('JUJU_MODEL_UUID');
  const jujuVersion = required('JUJU_VERSION');
  const unitMatch = UNIT_NAME.exec(unitName);
  if (unitName !== '' && !unitMatch) problems.push(`JUJU_UNIT_NAME "${unitName}" is not a unit name like app/0`);
  const principal = nonEmpty(env.JUJU_PRINCIPAL_UNIT);
  if (principal !== null && !UNIT_NAME.test(principal)) problems.push(`JUJU_PRINCIPAL_UNIT "${principal}" is not a unit name`);
  if (!unitMatch || charmDir === null) return null;
  return {
    unitName,
    appName: unitMatch[1] ?? '',
    modelName,
    modelUuid,
    charmDir,
    principalUnit: principal,
    machineId: nonEmpty(env.JUJU_MACHINE_ID),
    jujuVersion,
  };
}

function readRelation(env: Env, hookName: string, problems: string[]): RelationContext | null {
  const hookMatch = RELATION_HOOK.exec(hookName);
  if (!hookMatch) return null;
  const idText = nonEmpty(env.JUJU_RELATION_ID);
  const idMatch = idText === null ? null : RELATION_ID.exec(idText);
  const endpoint = nonEmpty(env.JUJU_RELATION) ?? idMatch?.[1] ?? null;
  const remoteApp = nonEmpty(env.JUJU_REMOTE_APP);
  const remoteUnit = nonEmpty(env.JUJU_REMOTE_UNIT);
  const departingUnit = nonEmpty(env.JUJU_DEPARTING_UNIT);
  const before = problems.length;
  if (idText === null) problems.push(`relation hook ${hookName} without JUJU_RELATION_ID`);
  else if (!idMatch) problems.push(`JUJU_RELATION_ID "${idText}" is not <endpoint>:<number>`);
  if (endpoint !== null && endpoint !== hookMatch[1]) problems.push(`JUJU_RELATION "${endpoint}" does not match hook ${hookName}`);
  if (idMatch && endpoint !== null && idMatch[1] !== endpoint) problems.push(`JUJU_RELATION_ID "${idText}" does not belong to endpoint ${endpoint}`);
  if (remoteApp === null) problems.push(`relation hook ${hookName} without JUJU_REMOTE_APP`);
  for (const [name, unit] of [['JUJU_REMOTE_UNIT', remoteUnit], ['JUJU_DEPARTING_UNIT', departingUnit]] as const) {
    if (unit !== null && !UNIT_NAME.test(unit)) problems.push(`${name} "${unit}" is not a unit name`);
  }
  if (problems.length > before || !idMatch || remoteApp === null) return null;
  return { endpoint: idMatch[1] ?? '', id: idText ?? '', remoteApp, remoteUnit, departingUnit };
}

const STORAGE_HOOK = /^(.+)-storage-(attached|detaching)$/;

function readStorage(env: Env, hookName: string, problems: string[]): StorageContext | null {
  const hookMatch = STORAGE_HOOK.exec(hookName);
  if (!hookMatch) return null;
  const id = nonEmpty(env.JUJU_STORAGE_ID);
  const name = id?.split('/')[0];
  if (id === null || !/^[a-z][a-z0-9-]*\/\d+$/.test(id)) problems.push(`storage hook ${hookName} without a JUJU_STORAGE_ID like ${hookMatch[1] ?? 'name'}/0`);
  else if (name !== hookMatch[1]) problems.push(`JUJU_STORAGE_ID "${id}" does not belong to hook ${hookName}`);
  if (id === null || name === undefined || problems.length > 0) return null;
  return { id, name, location: env.JUJU_STORAGE_LOCATION ?? '', kind: env.JUJU_STORAGE_KIND ?? '' };
}

/** Builds the event from the environment, or throws JujuContextError naming every problem. */
export function readJujuEvent(env: Env): JujuEvent {
  const problems: string[] = [];
  const event = eventKindAndName(env, problems);
  const unit = readUnit(env, problems);
  if (event?.kind === 'action') {
    const actionId = nonEmpty(env.JUJU_ACTION_UUID);
    if (actionId === null) problems.push(`action ${event.name} without JUJU_ACTION_UUID`);
    if (problems.length > 0 || unit === null || actionId === null) throw new JujuContextError(problems);
    return { kind: 'action', name: event.name, actionId, unit };
  }
  const relation = event === null ? null : readRelation(env, event.name, problems);
  const storage = event === null ? null : readStorage(env, event.name, problems);
  if (problems.length > 0 || unit === null || event === null) throw new JujuContextError(problems);
  return { kind: 'hook', name: event.name, relation, unit, ...(storage ? { storage } : {}) };
}
