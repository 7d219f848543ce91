// The exact hook environment of contract §2: built from scratch, every "always" variable present
// (even empty), no HOME/USER, PATH = tools dir + the agent's PATH.

import { endpointOf, relationIdString, remoteAppOf } from '../model/topology';
import type { ActionRecord, HookEvent, MachineRecord, ModelState, UnitRecord } from '../model/types';
import type { UnitPaths } from './paths';

export const JUJU_VERSION = '3.6.4';
export const AGENT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin';

export interface EnvInput {
  state: ModelState;
  unit: UnitRecord;
  machine: MachineRecord;
  event: HookEvent;
  action: ActionRecord | null;
  paths: UnitPaths;
  contextId: string;
}

function apiAddress(machine: MachineRecord): string {
  const base = machine.cidr.split('/')[0];
  if (machine.backend === 'local' || !base) return '127.0.0.1:17070';
  const parts = base.split('.');
  parts[3] = '1';
  return `${parts.join('.')}:17070`;
}

export function buildHookEnv(input: EnvInput): Record<string, string> {
  const { state, unit, machine, event, action, paths } = input;
  const env: Record<string, string> = {
    CHARM_DIR: paths.guestCharmDir,
    JUJU_CHARM_DIR: paths.guestCharmDir,
    JUJU_CONTEXT_ID: input.contextId,
    JUJU_HOOK_NAME: event.kind === 'hook' ? event.name : '',
    JUJU_DISPATCH_PATH: event.kind === 'hook' ? `hooks/${event.name}` : `actions/${action?.name ?? ''}`,
    JUJU_AGENT_SOCKET_ADDRESS: paths.guestSocket,
    JUJU_AGENT_SOCKET_NETWORK: 'unix',
    JUJU_UNIT_NAME: unit.name,
    JUJU_MODEL_UUID: state.uuid,
    JUJU_MODEL_NAME: state.name,
    JUJU_API_ADDRESSES: apiAddress(machine),
    JUJU_MACHINE_ID: machine.id,
    JUJU_PRINCIPAL_UNIT: unit.principal ?? '',
    JUJU_AVAILABILITY_ZONE: '',
    JUJU_VERSION,
    CLOUD_API_VERSION: '',
    JUJU_CHARM_HTTP_PROXY: '',
    JUJU_CHARM_HTTPS_PROXY: '',
    JUJU_CHARM_FTP_PROXY: '',
    JUJU_CHARM_NO_PROXY: '',
    PATH: `${paths.guestToolsDir}:${AGENT_PATH}`,
    LANG: 'C.UTF-8',
    TERM: 'screen',
  };
  if (event.kind === 'hook' && event.relationId !== undefined) {
    const relation = state.relations[String(event.relationId)];
    if (relation) {
      env.JUJU_RELATION = endpointOf(relation, unit.app);
      env.JUJU_RELATION_ID = relationIdString(relation, unit.app);
      env.JUJU_REMOTE_APP = event.remoteApp ?? remoteAppOf(relation, unit.app);
      env.JUJU_REMOTE_UNIT = event.remoteUnit ?? '';
      if (event.name.endsWith('-relation-departed')) env.JUJU_DEPARTING_UNIT = event.departingUnit ?? '';
    }
  }
  if (event.kind === 'hook' && event.secretId !== undefined) {
    env.JUJU_SECRET_ID = event.secretId;
    env.JUJU_SECRET_LABEL = event.secretLabel ?? '';
    if (event.name === 'secret-remove' || event.name === 'secret-expired') env.JUJU_SECRET_REVISION = String(event.secretRevision ?? 0);
  }
  const storage = event.kind === 'hook' && event.storageId !== undefined ? state.storage?.[event.storageId] : undefined;
  if (storage) {
    env.JUJU_STORAGE_ID = storage.id;
    env.JUJU_STORAGE_LOCATION = storage.location;
    env.JUJU_STORAGE_KIND = storage.kind;
  }
  if (action) {
    env.JUJU_ACTION_NAME = action.name;
    env.JUJU_ACTION_UUID = String(action.id);
    env.JUJU_ACTION_TAG = `action-${action.id}`;
  }
  return env;
}
