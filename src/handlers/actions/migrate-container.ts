// migrate-container: a cold `lxc move` of one container to a peer unit, as the chosen user through the
// remote the charm wired for that peer (pinned, so no prompt and no --accept-certificate).
import type { HookTools, UnitName } from '../../juju/hook-tools';
import { parsePeerBag } from '../../model/peer-record';
import type { LocalUser, UserClientConfig } from '../../lxd/client-config-store';
import type { LxcRunner } from '../../lxd/lxc-client';
import { readLxdRelation } from '../lxd-relation';
import { MIGRATION_BINDING } from '../../juju/bind-address';
import type { Handler, Services } from '../services';
import { ActionRefused, defineAction } from './action';

export type { LxcResult } from '../../lxd/lxc-client';

export interface MigrateIo {
  users(names: readonly string[]): Promise<{ readonly found: readonly LocalUser[]; readonly missing: readonly string[] }>;
  read(user: LocalUser): Promise<UserClientConfig>;
  /** runs lxc as the user (its HOME, uid and gid), stdin closed */
  lxc: LxcRunner;
}

const unitIo = (s: Services): MigrateIo => ({ users: (names) => s.clients.users(names), read: (user) => s.clients.read(user), lxc: s.lxc.run });

/** LXD instance names: letters, digits and hyphens, not starting with a digit or hyphen, at most 63. */
const INSTANCE_NAME = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const lastLine = (text: string): string => text.trim().split('\n').pop()?.replace(/^Error:\s*/, '') ?? '';

async function peerUnits(juju: HookTools): Promise<Map<UnitName, string>> {
  const out = new Map<UnitName, string>();
  for (const id of await juju.relationIds(MIGRATION_BINDING)) {
    for (const unit of await juju.relationList(id)) {
      const parsed = parsePeerBag(unit, await juju.relationGet(id, unit));
      out.set(unit, 'ok' in parsed ? parsed.ok.hostname : 'legacy' in parsed ? parsed.legacy.hostname : '');
    }
  }
  return out;
}

export function makeMigrateContainer(ioOf: (s: Services) => MigrateIo = unitIo): Handler {
  return defineAction<{ container: string; to: string; user?: string }>('migrate-container', async (params, s) => {
    const { container, to } = params;
    const userName = params.user ?? 'root';
    if (!INSTANCE_NAME.test(container)) throw new ActionRefused(`container ${JSON.stringify(container.slice(0, 80))} is not an LXD instance name (letters, digits and "-", starting with a letter)`);
    if (to === s.event.unit.unitName) throw new ActionRefused(`${to} is this unit: name another unit of ${s.event.unit.appName}`);
    const peers = await peerUnits(s.juju);
    if (!peers.has(to)) {
      const known = [...peers.keys()].sort().join(', ') || 'none';
      throw new ActionRefused(`${to} is not a peer of this unit on lxd-migration (peers: ${known}); give a unit of ${s.event.unit.appName}, e.g. to=${[...peers.keys()][0] ?? 'lxd/1'}`);
    }
    const allowed = ['root', ...(await readLxdRelation(s.juju)).users];
    if (!allowed.includes(userName)) throw new ActionRefused(`user ${JSON.stringify(userName)} is neither root nor a user nova-compute named (${allowed.join(', ')})`);
    const io = ioOf(s);
    const user = (await io.users([userName])).found[0];
    if (!user) throw new ActionRefused(`user ${userName} does not exist on this machine`);
    const wired = [...(await io.read(user)).managed.values()].find((r) => r.peer === to);
    if (!wired) throw new ActionRefused(`${to} is not wired for ${userName} yet (no managed lxc remote for it; list-remotes shows what is): wait for the lxd-migration hooks to settle, then run again`);

    const shown = await io.lxc(user, ['query', `/1.0/instances/${container}`]);
    if (shown.exitCode !== 0) {
      if (/not found/i.test(shown.stderr)) throw new ActionRefused(`no container named ${container} on ${s.event.unit.unitName} (lxc list shows them)`);
      throw new ActionRefused(`cannot read container ${container} as ${userName}: ${lastLine(shown.stderr)}`);
    }
    let status = '';
    try {
      status = String((JSON.parse(shown.stdout) as { status?: unknown }).status ?? '');
    } catch {
      throw new ActionRefused(`lxc answered for ${container} with something that is not JSON; check lxc as ${userName}`);
    }
    if (status !== 'Stopped') {
      throw new ActionRefused(`container ${container} is ${status || 'not stopped'}: migrate-container moves stopped containers only (a live move needs CRIU on both hosts); stop it (lxc stop ${container}) and run again`);
    }
    await s.juju.actionLog(`moving ${container} to ${to} (remote ${wired.name}, ${wired.url}) as ${userName}`);
    const moved = await io.lxc(user, ['move', container, `${wired.name}:${container}`]);
    if (moved.exitCode !== 0) throw new ActionRefused(`lxc move ${container} ${wired.name}:${container} failed as ${userName}: ${lastLine(moved.stderr)}; the container is still on ${s.event.unit.unitName} unless lxc says otherwise`);
    return { container, from: s.event.unit.unitName, to, remote: wired.name, url: wired.url, user: userName, result: 'moved (cold); start it on the target with lxc start' };
  });
}

export const migrateContainer: Handler = makeMigrateContainer();
