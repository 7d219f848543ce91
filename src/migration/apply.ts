// Applies a migration plan through the ports, one typed applier per change kind. A change that fails is
// reported with its peer and the rest still run: one unreachable peer does not hold up the others.
import type { UnitName } from '../juju/hook-tools';
import { describeMigrationChange, type MigrationChange } from './desired-remotes';
import type { ClientConfigStore, LocalUser, RemoteSpec, TrustStore } from './ports';

export interface MigrationIo {
  readonly trust: TrustStore;
  readonly clients: ClientConfigStore;
  /** the users the plan names, resolved from passwd */
  readonly users: ReadonlyMap<string, LocalUser>;
  /** joins a legacy peer by its trust password (null: no legacy support on this unit) */
  readonly joinLegacy: ((user: LocalUser, remote: RemoteSpec) => Promise<void>) | null;
  readonly log: (message: string) => Promise<void>;
}

export interface MigrationFailure {
  readonly change: MigrationChange;
  readonly peer: UnitName | null;
  readonly reason: string;
}

type Applier<K extends MigrationChange['kind']> = (change: Extract<MigrationChange, { kind: K }>, io: MigrationIo, user: () => LocalUser) => Promise<void>;

const appliers: { readonly [K in MigrationChange['kind']]: Applier<K> } = {
  'trust-cert': (c, io) => io.trust.add(c.cert.name, c.cert.derBase64),
  'add-remote': (c, io, user) => io.clients.writeRemote(user(), c.remote),
  'update-remote-url': (c, io, user) => io.clients.writeRemote(user(), c.remote),
  'update-remote-pin': (c, io, user) => io.clients.writeRemote(user(), c.remote),
  'join-legacy-remote': async (c, io, user) => {
    if (!io.joinLegacy) throw new Error('legacy peers cannot be joined on this unit');
    await io.joinLegacy(user(), c.remote);
  },
  'remove-remote': (c, io, user) => io.clients.removeRemote(user(), c.name),
  'revoke-cert': (c, io) => io.trust.remove(c.fingerprint),
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
