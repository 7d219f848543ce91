// The https relation in the pipeline: LXD's trust store, read only when the trust the clients want
// differs from what the charm remembers making (or in an https relation hook); the pure plan of trust,
// revocations and what to publish; and their appliers. Kept apart from plan.ts/apply.ts, which list these.
import type { Bag, HookTools, RelationId } from '../juju/hook-tools';
import type { LxdApi, ServerInfo, TrustEntry } from '../lxd/lxd-api';
import type { CharmState } from '../model/charm-state';
import { HTTPS_TRUST_PREFIX, serverBag, trustKey, wantedTrust, type HttpsRelation } from '../model/https-clients';

export interface ObservedHttps {
  /** null: not read (the remembered trust is what the clients want) */
  readonly trust: readonly TrustEntry[] | null;
  /** of the projects the clients name, those LXD does not have (read with the trust store) */
  readonly missingProjects?: ReadonlySet<string>;
}

export type HttpsChange =
  | { readonly kind: 'https-trust'; readonly name: string; readonly member: string; readonly fingerprint: string; readonly derBase64: string; readonly projects: readonly string[] }
  | { readonly kind: 'https-revoke'; readonly name: string; readonly fingerprint: string }
  /** the trust as now made: remembered, so the next hooks need not read the trust store */
  | { readonly kind: 'https-remember-trust'; readonly trusted: Readonly<Record<string, string>> }
  /** `live`: the https relations there are now (what is remembered for others is dropped) */
  | { readonly kind: 'https-publish'; readonly relationId: RelationId; readonly bag: Bag; readonly key: string; readonly live: readonly RelationId[] };

const keysOf = (wanted: ReturnType<typeof wantedTrust>): Record<string, string> =>
  Object.fromEntries([...wanted].map(([name, w]) => [name, typeof w === 'string' ? w : trustKey(w.cert.fingerprint, w.projects)]));

const sameRecord = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

export async function observeHttps(want: HttpsRelation, lxd: LxdApi, state: CharmState): Promise<ObservedHttps> {
  const unchanged = sameRecord(keysOf(wantedTrust(want, state.httpsTrusted)), state.httpsTrusted);
  if (unchanged && !want.recheck) return { trust: null };
  const named = [...new Set(want.clients.flatMap((c) => c.projects))].sort();
  const missing = new Set<string>();
  for (const project of named) if ((await lxd.preseedObject('projects', project)) === null) missing.add(project);
  return { trust: await lxd.trustEntries(), missingProjects: missing };
}

const entryKey = (e: TrustEntry): string => trustKey(e.fingerprint, e.restricted ? e.projects : []);

function trustChanges(given: HttpsRelation, trust: readonly TrustEntry[], missingProjects: ReadonlySet<string>, state: CharmState, notes: string[]): HttpsChange[] {
  // LXD refuses to restrict a certificate to a project it does not have: such a client is left as it is
  // (tried again while the store is read, so once the project exists it is trusted)
  const absent = given.clients.filter((c) => c.projects.some((p) => missingProjects.has(p)));
  for (const c of absent) {
    notes.push(`refused relation ${c.relationId} data from ${c.member}: key "projects" names ${c.projects.filter((p) => missingProjects.has(p)).join(', ')}, which LXD does not have; its trust in LXD is left as it is`);
  }
  const want: HttpsRelation = { ...given, clients: given.clients.filter((c) => !absent.includes(c)), untouched: [...given.untouched, ...absent.map((c) => c.name)] };
  const wanted = wantedTrust(want, state.httpsTrusted);
  const trusted = keysOf(wanted);
  const adds: HttpsChange[] = [];
  const revokes: HttpsChange[] = [];
  const kept = new Set<string>();
  for (const [name, w] of wanted) {
    if (typeof w === 'string') continue;
    const key = trusted[name] ?? '';
    const exact = trust.find((e) => e.name === name && entryKey(e) === key);
    if (exact) {
      kept.add(exact.fingerprint);
      continue;
    }
    const same = trust.find((e) => e.fingerprint === w.cert.fingerprint);
    if (same && same.name !== name) {
      // trusted already under a name this relation does not own (an operator's entry): left to its owner
      notes.push(`the certificate ${w.member} publishes on ${w.relationId} is already trusted as ${same.name}: left as it is`);
      continue;
    }
    // the same certificate with other projects: LXD keys entries by certificate, so it goes first
    if (same) revokes.push({ kind: 'https-revoke', name: same.name, fingerprint: same.fingerprint });
    adds.push({ kind: 'https-trust', name, member: w.member, fingerprint: w.cert.fingerprint, derBase64: w.cert.derBase64, projects: w.projects });
    kept.add(w.cert.fingerprint);
  }
  const untouched = new Set(want.untouched);
  for (const e of trust) {
    if (!e.name.startsWith(HTTPS_TRUST_PREFIX) || untouched.has(e.name) || kept.has(e.fingerprint) || revokes.some((r) => r.kind === 'https-revoke' && r.fingerprint === e.fingerprint)) continue;
    revokes.push({ kind: 'https-revoke', name: e.name, fingerprint: e.fingerprint });
  }
  // a new certificate of a client is trusted before its old one is revoked; re-restricted ones go first
  const firstRevokes = revokes.filter((r) => r.kind === 'https-revoke' && adds.some((a) => a.kind === 'https-trust' && a.fingerprint === r.fingerprint));
  const changes = [...firstRevokes, ...adds, ...revokes.filter((r) => !firstRevokes.includes(r))];
  if (changes.length > 0 || !sameRecord(trusted, state.httpsTrusted)) changes.push({ kind: 'https-remember-trust', trusted });
  return changes;
}

/**
 * Trust (when the store was read) then publication: this unit's certificate and addresses on every
 * relation with a client, once LXD listens where the charm wants it (`listenerPending`: not this round).
 */
export function httpsChanges(want: HttpsRelation, have: ObservedHttps, server: ServerInfo, state: CharmState, listenerPending: boolean, notes: string[]): HttpsChange[] {
  const changes = have.trust === null ? [] : trustChanges(want, have.trust, have.missingProjects ?? new Set(), state, notes);
  const pem = server.certificatePem ?? '';
  if (listenerPending || pem === '' || server.addresses.length === 0) return changes;
  const bag = serverBag(pem, server.certificateFingerprint, server.addresses);
  const key = `${server.certificateFingerprint}|${server.addresses.join(',')}`;
  for (const relationId of [...new Set(want.clients.map((c) => c.relationId))].sort()) {
    if (state.httpsPublished[relationId] !== key) changes.push({ kind: 'https-publish', relationId, bag, key, live: want.ids });
  }
  return changes;
}

export function describeHttpsChange(change: HttpsChange): string {
  switch (change.kind) {
    case 'https-trust':
      return `trust ${change.name} (${change.fingerprint.slice(0, 12)}) from ${change.member}${change.projects.length > 0 ? ` for projects ${change.projects.join(',')}` : ''} (https relation)`;
    case 'https-revoke':
      return `revoke ${change.name} (${change.fingerprint.slice(0, 12)}) (https relation)`;
    case 'https-remember-trust':
      return `note the https relation's trust: ${Object.keys(change.trusted).sort().join(', ') || 'none'}`;
    case 'https-publish':
      return `publish this unit's certificate and addresses ${change.bag.addresses ?? ''} on ${change.relationId}`;
  }
}

type HttpsIo = { readonly lxd: LxdApi; readonly juju: HookTools };
type HttpsApplier<K extends HttpsChange['kind']> = (change: Extract<HttpsChange, { kind: K }>, io: HttpsIo, state: CharmState) => Promise<Partial<CharmState> | void>;

export const httpsAppliers: { readonly [K in HttpsChange['kind']]: HttpsApplier<K> } = {
  'https-trust': async (c, io) => {
    await io.lxd.addTrustEntry({ name: c.name, derBase64: c.derBase64, projects: c.projects });
  },
  'https-revoke': async (c, io) => {
    await io.lxd.removeTrustEntry(c.fingerprint);
  },
  'https-remember-trust': async (c) => ({ httpsTrusted: c.trusted }),
  'https-publish': async (c, io, state) => {
    await io.juju.relationSet(c.relationId, c.bag);
    const kept = Object.fromEntries(Object.entries(state.httpsPublished).filter(([id]) => c.live.includes(id)));
    return { httpsPublished: { ...kept, [c.relationId]: c.key } };
  },
};
