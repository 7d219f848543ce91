// Applies a migration plan through the adapters, one typed applier per change kind. A change that fails is
// reported with its peer and the rest still run: one unreachable peer does not hold up the others.
import type { UnitName } from '../juju/hook-tools';
import { describeMigrationChange, type MigrationChange } from './desired-remotes';
import type { ClientConfigStore, LocalUser } from '../lxd/client-config-store';
import type { LxdApi } from '../lxd/lxd-api';
import type { LxcClient } from '../lxd/lxc-client';

export interface MigrationIo {
  readonly trust: Pick<LxdApi, 'addTrustEntry' | 'removeTrustEntry'>;
  readonly clients: ClientConfigStore;
  /** the users the plan names, resolved from passwd */
  readonly users: ReadonlyMap<string, LocalUser>;
  readonly lxc: Pick<LxcClient, 'joinLegacy'>;
  /** legacy peer unit → the trust password it published */
  readonly passwords: ReadonlyMap<UnitName, string>;
  readonly log: (message: string) => Promise<void>;
}

export interface MigrationFailure {
  readonly change: MigrationChange;
  readonly peer: UnitName | null;
  readonly reason: string;
}

type Applier<K extends MigrationChange['kind']> = (change: Extract<MigrationChange, { kind: K }>, io: MigrationIo, user: () => LocalUser) => Promise<void>;

const appliers: { readonly [K in MigrationChange['kind']]: Applier<K> } = {
  'trust-cert': async (c, io) => {
    await io.trust.addTrustEntry({ name: c.cert.name, derBase64: c.cert.derBase64, projects: [] });
  },
  'add-remote': (c, io, user) => io.clients.writeRemote(user(), c.remote),
  'update-remote-url': (c, io, user) => io.clients.writeRemote(user(), c.remote),
  'update-remote-pin': (c, io, user) => io.clients.writeRemote(user(), c.remote),
  'join-legacy-remote': async (c, io, user) => {
    const password = io.passwords.get(c.peer);
    if (password === undefined) throw new Error(`cannot join ${c.remote.url} by trust password: no password published by ${c.peer}`);
    await io.lxc.joinLegacy(user(), c.remote, password);
  },
  'remove-remote': (c, io, user) => io.clients.removeRemote(user(), c.name),
  'revoke-cert': async (c, io) => {
    await io.trust.removeTrustEntry(c.fingerprint);
  },
};

export async function applyMigrationChanges(changes: readonly MigrationChange[], io: MigrationIo): Promise<{ readonly failures: readonly MigrationFailure[] }> {
  const failures: MigrationFailure[] = [];
  for (const change of changes) {
    await io.log(describeMigrationChange(change));
    const user = (): LocalUser => {
      const name = 'user' in change ? change.user : '';
      const found = io.users.get(name);
      if (!found) throw new Error(`user ${name} does not exist on this machine`);
      return found;
    };
    try {
      await (appliers[change.kind] as Applier<MigrationChange['kind']>)(change, io, user);
    } catch (err) {
      failures.push({ change, peer: change.peer, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { failures };
}
