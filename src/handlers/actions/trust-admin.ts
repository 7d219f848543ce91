// The actions' rules for LXD's trust store: which entries the charm owns (its lxd-migration peers'
// client certificates), project lists and entry names.
import type { Services } from '../services';
import { HTTPS_TRUST_PREFIX } from '../../model/https-clients';
import { ActionRefused } from './action';

/** Entries named juju-<app>-… are the ones the migration wiring creates for this application's peers. */
export const managedPrefix = (s: Services): string => `juju-${s.event.unit.appName}-`;

const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** "a, b" → ["a","b"]; refuses names LXD would not accept. */
export function parseProjects(text: string | undefined): string[] {
  const projects = (text ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const bad = projects.filter((p) => !PROJECT.test(p));
  if (bad.length > 0) throw new ActionRefused(`projects: ${bad.map((p) => JSON.stringify(p)).join(', ')} is not an LXD project name; give a comma-separated list such as projects=default,nova`);
  return [...new Set(projects)];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9@._-]{0,63}$/;

/** A trust entry name: letters, digits and . _ - @, at most 64; refuses the charm's own prefix. */
export function checkEntryName(name: string, s: Services): string {
  if (!NAME.test(name)) throw new ActionRefused(`name ${JSON.stringify(name.slice(0, 80))} is not usable: use up to 64 letters, digits, ".", "_", "-" or "@"`);
  if (name.startsWith(managedPrefix(s))) throw new ActionRefused(`name ${name} starts with ${managedPrefix(s)}, which the charm keeps for its peers' entries; choose another name`);
  if (name.startsWith(HTTPS_TRUST_PREFIX)) throw new ActionRefused(`name ${name} starts with ${HTTPS_TRUST_PREFIX}, which the charm keeps for its https relation's clients; choose another name`);
  return name;
}
