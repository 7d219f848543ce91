// The `lxd` relation (interface containers) with nova-compute: its `user` joins group lxd; we answer
// with `pool` and a fresh `nonce` once nova's user can use LXD, and again only when that or the pool changed.
import type { HookTools, RelationId } from '../juju/hook-tools';
import { isValidUserName } from '../model/desired';

export const LXD_ENDPOINT = 'lxd';

/** valid-looking names a principal must never get into group lxd: root needs no group, lxd is the group itself */
const RESERVED_USERS: ReadonlySet<string> = new Set(['root', 'lxd']);

export interface LxdRelation {
  readonly ids: readonly RelationId[];
  readonly users: readonly string[];
  /** invalid names another charm sent: reported, never used */
  readonly rejected: readonly string[];
}

export async function readLxdRelation(juju: HookTools): Promise<LxdRelation> {
  const ids = await juju.relationIds(LXD_ENDPOINT);
  const users: string[] = [];
  const rejected: string[] = [];
  for (const id of ids) {
    for (const unit of await juju.relationList(id)) {
      const user = (await juju.relationGet(id, unit)).user;
      if (user === undefined || user === '') continue;
      if (isValidUserName(user) && !RESERVED_USERS.has(user)) {
        users.push(user);
        continue;
      }
      const shown = JSON.stringify(user.slice(0, 40));
      rejected.push(`${unit} sent an invalid user name ${shown}`);
      // the operator greps the log for the sender and the key; the value is shown escaped and cut
      await juju.log('WARNING', `refused relation ${id} data from ${unit}: key "user" = ${shown}${user.length > 40 ? ` (${user.length} characters)` : ''} is not a user name the charm adds to group lxd`);
    }
  }
  return { ids, users: [...new Set(users)].sort(), rejected };
}

/** What was published, as remembered in state: relation ids and pool. */
export const publishedKey = (ids: readonly RelationId[], pool: string): string => `${[...ids].sort().join(',')}|${pool}`;

/** The pool part of a publishedKey ("" when nothing was published). */
export const publishedPoolName = (key: string): string => key.slice(key.lastIndexOf('|') + 1);
