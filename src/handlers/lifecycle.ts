// The handlers src/events.ts maps hooks to.
import { readFile } from 'node:fs/promises';
import type { Handler } from './services';
import { makeConverge } from './converge';
import { makeShowConfig } from './show-config';
import { readCharmState } from '../model/charm-state';
export { install } from './install';

/** Juju runs hooks and actions with cwd = the charm dir, where pack puts templates/: a relative path is enough. */
const loadTemplate = (): Promise<string> => readFile('templates/preseed.yaml.hbs', 'utf8');

/** config-changed, upgrade-charm, start, update-status, leader and relation hooks */
export const converge: Handler = makeConverge({ loadTemplate });

/**
 * local-storage-attached: a machine charm's storage attaches before install (contract §4.2), when there
 * is no LXD to give it to yet; the first converge after install takes it. Later, it converges.
 */
export const storageAttached: Handler = async (s) => {
  const state = readCharmState(await s.juju.stateGet());
  if (state.lastStatus === '') {
    const storage = s.event.kind === 'hook' ? s.event.storage : undefined;
    await s.juju.log('INFO', `storage ${storage?.id ?? 'local'} attached at ${storage?.location ?? '?'} before install: the pool takes it once LXD is installed`);
    return;
  }
  await converge(s);
};

/** For the resume action once LXD runs again: a full converge that also forgets the pause. */
export const resumeConverge: Handler = makeConverge({ loadTemplate, resuming: true });

/** Action show-config: the desired document and the differences from the host now. */
export const showConfig: Handler = makeShowConfig(loadTemplate);

/** stop: LXD and its instances stay as they are (nova owns the instances). */
export const stop: Handler = async (s) => {
  await s.juju.log('INFO', 'stop: leaving LXD and its instances running');
};

/** remove: no data is ever destroyed; the pool, volume group and bridge stay for the operator. */
export const remove: Handler = async (s) => {
  await s.juju.log('INFO', 'remove: LXD storage, volume groups and networks are kept; remove them by hand if unwanted');
};
