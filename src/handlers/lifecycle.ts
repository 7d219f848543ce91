// The handlers src/events.ts maps hooks to.
import { readFile } from 'node:fs/promises';
import type { Handler } from './services';
import { makeConverge } from './converge';
import { makeShowConfig } from './show-config';
export { install } from './install';

/** Juju runs hooks and actions with cwd = the charm dir, where pack puts templates/: a relative path is enough. */
const loadTemplate = (): Promise<string> => readFile('templates/preseed.yaml.hbs', 'utf8');

/** config-changed, upgrade-charm, start, update-status, leader and relation hooks */
export const converge: Handler = makeConverge({ loadTemplate });

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
