// list-remotes: for root and each nova-compute user, the remotes the charm wired (its marker file says
// which), each with its pin checked against what the peer publishes now, and a live TLS probe.
import type { HookTools, UnitName } from '../../juju/hook-tools';
import { parseCertificate } from '../../lxd/certificates';
import { parsePeerBag } from '../../model/peer-record';
import type { LocalUser, UserClientConfig } from '../../lxd/client-config-store';
import { readLxdRelation } from '../lxd-relation';
import { MIGRATION_BINDING } from '../../juju/bind-address';
import type { Handler, Services } from '../services';
import { ActionRefused, defineAction, type Results } from './action';
import type { ProbeResult } from '../../lxd/remote-probe';

export interface RemotesIo {
  users(names: readonly string[]): Promise<{ readonly found: readonly LocalUser[]; readonly missing: readonly string[] }>;
  read(user: LocalUser): Promise<UserClientConfig>;
  probe(url: string, timeoutMs: number): Promise<ProbeResult>;
}

/** Peer unit → the server certificate fingerprint it publishes ('' for a legacy peer, which publishes none). */
async function publishedServerCerts(juju: HookTools): Promise<Map<UnitName, string>> {
  const out = new Map<UnitName, string>();
  for (const id of await juju.relationIds(MIGRATION_BINDING)) {
    for (const unit of await juju.relationList(id)) {
      const parsed = parsePeerBag(unit, await juju.relationGet(id, unit));
      if ('ok' in parsed) out.set(unit, parsed.ok.serverCert.fingerprint);
      else if ('legacy' in parsed) out.set(unit, '');
    }
  }
  return out;
}

function pinState(pinned: string | null, peer: UnitName, published: ReadonlyMap<UnitName, string>): { text: string; fingerprint: string | null } {
  const pin = pinned === null ? null : parseCertificate(pinned);
  const fingerprint = pin && 'ok' in pin ? pin.ok.fingerprint : null;
  if (pinned === null) return { text: 'not pinned', fingerprint };
  if (!fingerprint) return { text: 'pin file is not a certificate', fingerprint };
  const theirs = published.get(peer);
  if (theirs === undefined) return { text: `pinned; ${peer} is not in the lxd-migration relation now`, fingerprint };
  if (theirs === '') return { text: `pinned; ${peer} is a legacy peer and publishes no certificate`, fingerprint };
  return { text: theirs === fingerprint ? 'pinned to the certificate the peer publishes' : `pinned to a certificate ${peer} no longer publishes`, fingerprint };
}

function answerText(probe: ProbeResult, pinned: string | null): string {
  if (!probe.answers) return `no: ${probe.reason}`;
  if (pinned === null) return 'yes (its certificate is not pinned)';
  return probe.fingerprint === pinned ? 'yes, with the pinned certificate' : 'yes, but with a certificate other than the pinned one: lxc will refuse it';
}

const unitIo = (s: Services): RemotesIo => ({ users: (names) => s.clients.users(names), read: (user) => s.clients.read(user), probe: (url, timeoutMs) => s.lxc.probe(url, timeoutMs) });

export function makeListRemotes(ioOf: (s: Services) => RemotesIo = unitIo): Handler {
  return defineAction<{ timeout?: number }>('list-remotes', async (params, s) => {
    const io = ioOf(s);
    const relation = await readLxdRelation(s.juju);
    const { found, missing } = await io.users(['root', ...relation.users.filter((u) => u !== 'root')]);
    if (found.length === 0) throw new ActionRefused('no local user to report on (root is missing from /etc/passwd?)');
    const published = await publishedServerCerts(s.juju);
    const timeoutMs = (params.timeout ?? 5) * 1000;
    const users: Record<string, unknown> = {};
    let total = 0;
    for (const [i, user] of found.entries()) {
      let config: UserClientConfig;
      try {
        config = await io.read(user);
      } catch (err) {
        users[String(i)] = { user: user.name, error: err instanceof Error ? err.message : String(err) };
        continue;
      }
      const remotes = [...config.managed.values()].sort((a, b) => a.name.localeCompare(b.name));
      const probes = await Promise.all(remotes.map((r) => io.probe(r.url, timeoutMs)));
      const entries: Record<string, Record<string, string>> = {};
      remotes.forEach((r, j) => {
        const pin = pinState(r.pinnedCert, r.peer, published);
        entries[String(j)] = { name: r.name, url: r.url, peer: r.peer, pin: pin.text, answers: answerText(probes[j] ?? { answers: false, reason: 'not probed' }, pin.fingerprint) };
      });
      total += remotes.length;
      users[String(i)] = { user: user.name, count: String(remotes.length), ...(remotes.length > 0 ? { remotes: entries } : {}) };
    }
    const results: Results = { count: String(total), users: users as Readonly<Record<string, unknown>>, ...(missing.length > 0 ? { 'missing-users': missing.join(',') } : {}) };
    return results;
  });
}

export const listRemotes: Handler = makeListRemotes();
