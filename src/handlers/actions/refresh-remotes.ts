// refresh-remotes: the migration wiring run now over every peer (an action has no relation scope), with
// a snapshot of the managed remotes and the charm's trust entries before and after, so the operator
// sees exactly what changed. The wiring itself is converge's (handlers/peers.ts).
import { stateChanges, stateRemovals } from '../../model/charm-state';
import { describeProblems } from '../../model/config';
import { readInputs } from '../inputs';
import { reconcileMigration } from '../peers';
import { resolveTrustPassword } from '../trust-password';
import type { Handler, Services } from '../services';
import { ActionRefused, NOT_LISTENING, askNextHookToRecheck, defineAction } from './action';
import { managedPrefix } from './trust-admin';

/** "remote nova juju-host-1 https://… pin <fp-prefix>" and "trust juju-lxd-1-nova <fp>" lines. */
async function snapshot(s: Services, userNames: readonly string[]): Promise<Set<string>> {
  const lines = new Set<string>();
  const prefix = managedPrefix(s);
  for (const entry of await s.lxd.trustEntries()) if (entry.name.startsWith(prefix)) lines.add(`trust ${entry.name} ${entry.fingerprint.slice(0, 16)}`);
  const { found } = await s.clients.users(userNames);
  for (const user of found) {
    for (const remote of (await s.clients.read(user)).managed.values()) {
      lines.add(`remote ${user.name} ${remote.name} ${remote.url} ${remote.pinnedCert === null ? 'unpinned' : 'pinned'}`);
    }
  }
  return lines;
}

export const refreshRemotes: Handler = defineAction<Record<string, never>>('refresh-remotes', async (_params, s) => {
  const { config: parsed, stateBag, state, relation, address } = await readInputs(s);
  if (!parsed.ok) throw new ActionRefused(`${describeProblems(parsed.problems)}; fix the config first`);
  const server = await s.lxd.server();
  if (!server.certificatePem || server.addresses.length === 0) {
    await askNextHookToRecheck(s, NOT_LISTENING);
    throw new ActionRefused('LXD is not listening on the network yet: wait until the unit is active (show-config says what is missing), then run again');
  }
  const userNames = [...new Set(['root', ...relation.users])];
  const config = parsed.config;
  const trustPassword = async (): Promise<{ value: string; hash: string }> => {
    const trust = await resolveTrustPassword(config.trustPassword, state, s.juju);
    return { value: await trust.value(), hash: trust.hash };
  };
  const before = await snapshot(s, userNames);
  const outcome = await reconcileMigration(s, { relationUsers: relation.users, address, port: config.httpsPort, server, trustPassword, pool: config.storage.pool }, state);
  if (outcome === null) throw new ActionRefused('this unit is not in an lxd-migration relation (or LXD reports no server certificate): nothing to refresh');
  const { wiring } = outcome;
  const changes = stateChanges(stateBag, outcome.state);
  if (Object.keys(changes).length > 0) await s.juju.stateSet(changes);
  for (const key of stateRemovals(stateBag, outcome.state)) await s.juju.stateDelete(key);
  const after = await snapshot(s, userNames);
  const added = [...after].filter((l) => !before.has(l)).sort();
  const removed = [...before].filter((l) => !after.has(l)).sort();
  return {
    changed: String(added.length + removed.length),
    added: added.join('\n') || 'nothing',
    removed: removed.join('\n') || 'nothing',
    peers: `${wiring.wired.length} of ${wiring.total} wired`,
    waiting: wiring.waiting.map((w) => `${w.unit}: ${w.reason}`).join('\n') || 'none',
    conflicts: [...wiring.conflicts, ...wiring.refused.map((u) => `${u}: record refused (see juju debug-log)`)].join('\n') || 'none',
  };
});
