// Hook tools whose relation reads run at most once per hook and can be started early. Juju answers a
// hook from one snapshot: the members of a relation and other units' bags do not change while it runs,
// and this unit's own writes drop the answers they affect. So a hook can start, at its beginning,
// the reads it will need later, and independent chains of process spawns overlap instead of queueing.
import type { Bag, HookTools, RelationId, UnitName } from './hook-tools';

export interface ReadAhead {
  readonly juju: HookTools;
  /** Starts relation-ids, relation-list and relation-get of the chosen members on `endpoint`. */
  prefetch(endpoint: string, members: (units: readonly UnitName[]) => readonly UnitName[]): void;
}

export function readAhead(inner: HookTools, me: UnitName): ReadAhead {
  const answers = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const known = answers.get(key) as Promise<T> | undefined;
    if (known) return known;
    const asked = read();
    answers.set(key, asked);
    // a failed read is not remembered: the caller that needs it asks again and sees the error
    asked.catch(() => answers.delete(key));
    return asked;
  };
  const relationIds = (endpoint: string): Promise<RelationId[]> => once(`ids ${endpoint}`, () => inner.relationIds(endpoint));
  const relationList = (id: RelationId): Promise<UnitName[]> => once(`list ${id}`, () => inner.relationList(id));
  const relationGet = (id: RelationId, member: string, opts?: { app?: boolean }): Promise<Bag> =>
    once(`get ${id} ${opts?.app ? 'app' : 'unit'} ${member}`, () => inner.relationGet(id, member, opts));
  const relationSet = async (id: RelationId, changes: Bag, opts?: { app?: boolean }): Promise<void> => {
    // what this unit reads back of its own bags now includes its pending writes: ask again
    for (const key of [...answers.keys()]) if (key.startsWith(`get ${id} `)) answers.delete(key);
    await inner.relationSet(id, changes, opts);
  };
  const overrides: Partial<HookTools> = { relationIds, relationList, relationGet, relationSet };
  const juju = new Proxy(inner, {
    get(target, prop, receiver) {
      const own: unknown = Reflect.get(overrides, prop);
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    juju,
    prefetch(endpoint, members) {
      const started = relationIds(endpoint).then((ids) =>
        Promise.all(ids.map(async (id) => {
          const units = await relationList(id);
          await Promise.all([relationGet(id, me), ...members(units).map((unit) => relationGet(id, unit))]);
        })));
      started.catch(() => undefined); // the hook's own read of the same thing reports any failure
    },
  };
}
