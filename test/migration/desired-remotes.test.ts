import { desiredMigration, planPeers, planRemoteChanges, remoteUrl, trustName, type DesiredMigration, type MigrationChange, type ObservedMigration, type OwnRecordInput, type PeerChange } from '../../src/reconcile/peers';
import { readCharmState } from '../../src/model/charm-state';
import type { PeerSet } from '../../src/model/peer-record';
import type { ObservedRemote, UserClientConfig } from '../../src/lxd/client-config-store';
import type { Bag } from '../../src/juju/hook-tools';
import { addressOf, cert, hostOf, legacyBag as legacyPeerBag, peerBag, peerBags, serverCertOf, unit , peerSetOf } from './builders';

const USERS = ['root', 'nova'];
const peersOf = (bags: ReadonlyMap<string, Bag>): PeerSet => peerSetOf(bags);
const desiredFor = (bags: ReadonlyMap<string, Bag>, departing: string | null = null): DesiredMigration => desiredMigration({ me: 'lxd/0', users: USERS, peers: peersOf(bags), departing });

/** What the world looks like once `desired` is applied (legacy remotes carry the pin their join fetched). */
function converged(desired: DesiredMigration, extraTrust: ObservedMigration['trust'] = []): ObservedMigration {
  const clients = new Map<string, UserClientConfig>();
  for (const [user, remotes] of desired.remotes) {
    const managed = new Map<string, ObservedRemote & { peer: string }>();
    for (const r of remotes.values()) managed.set(r.name, { name: r.name, url: r.url, pinnedCert: r.pinnedCert ?? cert(39), peer: r.peer });
    clients.set(user, { managed, foreign: new Set(['local', 'images']) });
  }
  const trust = [...desired.trust.values()].map((t) => ({ name: t.name, fingerprint: t.fingerprint, type: 'client' }));
  return { clients, trust: [...trust, ...extraTrust] };
}

const EMPTY: ObservedMigration = { clients: new Map(), trust: [] };
const kinds = (changes: readonly MigrationChange[]): string[] => changes.map((c) => `${c.kind} ${'user' in c ? c.user : '-'} ${c.peer ?? '-'}`);

describe('desired remotes and trust', () => {
  test.each([3, 6, 12])('%i peers: every user gets a pinned remote per peer, and each peer user is trusted once', (count) => {
    const desired = desiredFor(peerBags(count));
    for (const user of USERS) {
      const remotes = [...(desired.remotes.get(user)?.values() ?? [])];
      expect(remotes).toHaveLength(count);
      expect(remotes.find((r) => r.peer === 'lxd/2')).toEqual({ name: hostOf(2), url: `https://${addressOf(2)}:8443`, pinnedCert: serverCertOf(2), peer: 'lxd/2' });
    }
    expect(desired.trust.size).toBe(2 * count);
    expect([...desired.trust.values()].map((t) => t.name)).toContain(trustName(unit(count), 'nova'));
    const plan = planRemoteChanges(desired, EMPTY);
    expect(plan.changes.filter((c) => c.kind === 'trust-cert')).toHaveLength(2 * count);
    expect(plan.changes.filter((c) => c.kind === 'add-remote')).toHaveLength(USERS.length * count);
    expect(plan.changes).toHaveLength((2 + USERS.length) * count);
  });

  test('trust entries are named after the peer unit and user', () => {
    expect(trustName('lxd/12', 'nova')).toBe('juju-lxd-12-nova');
  });

  test('IPv6 addresses go into the URL in brackets', () => {
    expect(remoteUrl('fd42::7', 8443)).toBe('https://[fd42::7]:8443');
    const desired = desiredFor(new Map([[unit(1), peerBag(1, { address: 'fd42::7', port: '9443' })]]));
    expect(desired.remotes.get('nova')?.get(hostOf(1))?.url).toBe('https://[fd42::7]:9443');
  });

  test('a certificate a peer publishes for two users is trusted once', () => {
    const bags = new Map([[unit(1), peerBag(1, { 'client-certs': JSON.stringify({ root: cert(20), nova: cert(20) }) })]]);
    expect(desiredFor(bags).trust.size).toBe(1);
  });
});

describe('planning changes', () => {
  test('a converged world gives no changes (a hook run again does nothing)', () => {
    const desired = desiredFor(peerBags(12));
    expect(planRemoteChanges(desired, converged(desired))).toEqual({ changes: [], conflicts: [] });
  });

  test('a peer\'s address change gives exactly one URL update per user, and nothing else', () => {
    const before = desiredFor(peerBags(6));
    const bags = peerBags(6);
    bags.set(unit(3), peerBag(3, { address: '10.9.9.9' }));
    const changes = planRemoteChanges(desiredFor(bags), converged(before)).changes;
    expect(kinds(changes)).toEqual(['update-remote-url nova lxd/3', 'update-remote-url root lxd/3']);
    expect(changes[0]).toMatchObject({ from: `https://${addressOf(3)}:8443`, remote: { url: 'https://10.9.9.9:8443' } });
  });

  test('a peer\'s new server certificate re-pins its remote for every user', () => {
    const before = desiredFor(peerBags(3));
    const bags = peerBags(3);
    bags.set(unit(2), peerBag(2, { 'server-cert': cert(39) }));
    expect(kinds(planRemoteChanges(desiredFor(bags), converged(before)).changes)).toEqual(['update-remote-pin nova lxd/2', 'update-remote-pin root lxd/2']);
  });

  test('a peer\'s new client certificate is trusted and the old one revoked', () => {
    const before = desiredFor(peerBags(3));
    const bags = peerBags(3);
    bags.set(unit(1), peerBag(1, { 'client-certs': JSON.stringify({ root: cert(13 + 1), nova: cert(39) }) }));
    const changes = planRemoteChanges(desiredFor(bags), converged(before)).changes;
    expect(kinds(changes)).toEqual(['trust-cert - lxd/1', 'revoke-cert - lxd/1']);
    expect(changes[1]).toMatchObject({ name: 'juju-lxd-1-nova' });
  });

  test('a departing peer loses its remotes for every user and its certificates are revoked', () => {
    const before = desiredFor(peerBags(3));
    const changes = planRemoteChanges(desiredFor(peerBags(3), 'lxd/2'), converged(before)).changes;
    expect(kinds(changes)).toEqual(['remove-remote nova lxd/2', 'remove-remote root lxd/2', 'revoke-cert - lxd/2', 'revoke-cert - lxd/2']);
  });

  test('a peer that is gone from the relation (no -departed seen) is cleaned up the same way', () => {
    const before = desiredFor(peerBags(3));
    const bags = peerBags(3);
    bags.delete(unit(3));
    expect(kinds(planRemoteChanges(desiredFor(bags), converged(before)).changes)).toEqual(['remove-remote nova lxd/3', 'remove-remote root lxd/3', 'revoke-cert - lxd/3', 'revoke-cert - lxd/3']);
  });

  test('the departing unit removes all its remotes and its trust of the others', () => {
    const before = desiredFor(peerBags(2));
    const changes = planRemoteChanges(desiredFor(peerBags(2), 'lxd/0'), converged(before)).changes;
    expect(changes.filter((c) => c.kind === 'remove-remote')).toHaveLength(4);
    expect(changes.filter((c) => c.kind === 'revoke-cert')).toHaveLength(4);
    expect(changes).toHaveLength(8);
  });

  test('a peer whose record turns hostile keeps what it had: bad input changes nothing', () => {
    const before = desiredFor(peerBags(3));
    const bags = peerBags(3);
    bags.set(unit(2), peerBag(2, { hostname: '--help', 'client-certs': '{}' }));
    expect(planRemoteChanges(desiredFor(bags), converged(before)).changes).toEqual([]);
  });

  test('trust entries the operator made are never revoked', () => {
    const desired = desiredFor(peerBags(2));
    const operators = [
      { name: 'admin-laptop', fingerprint: 'a'.repeat(64), type: 'client' },
      { name: 'juju-other-app-1-root', fingerprint: 'b'.repeat(64), type: 'client' },
      { name: 'juju-lxd-b-1-root', fingerprint: 'c'.repeat(64), type: 'client' },
      { name: 'juju-lxd-admin', fingerprint: 'd'.repeat(64), type: 'client' },
    ];
    expect(planRemoteChanges(desired, converged(desired, operators)).changes).toEqual([]);
  });

  test('a remote name the user already has for something else is reported and left alone', () => {
    const desired = desiredFor(peerBags(2));
    const observed = converged(desired);
    const nova = observed.clients.get('nova');
    if (!nova) throw new Error('no nova');
    const managed = new Map(nova.managed);
    managed.delete(hostOf(1));
    const clients = new Map(observed.clients).set('nova', { managed, foreign: new Set([...nova.foreign, hostOf(1)]) });
    const plan = planRemoteChanges(desired, { ...observed, clients });
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([{ user: 'nova', name: hostOf(1), peer: 'lxd/1' }]);
  });

  test("the remote the legacy lxd charm made for a peer (its host name, https://<address>:8443) is taken over on upgrade; another URL under that name is not", () => {
    const desired = desiredFor(peerBags(2));
    const observed = converged(desired);
    const nova = observed.clients.get('nova');
    if (!nova) throw new Error('no nova');
    const managed = new Map(nova.managed);
    managed.delete(hostOf(1));
    const withForeign = (url: string): ObservedMigration => ({ ...observed, clients: new Map(observed.clients).set('nova', { managed, foreign: new Set([...nova.foreign, hostOf(1)]), foreignUrls: new Map([[hostOf(1), url]]) }) });
    const legacy = planRemoteChanges(desired, withForeign(`https://${addressOf(1)}:8443`));
    expect(legacy.conflicts).toEqual([]);
    expect(legacy.changes).toEqual([{ kind: 'add-remote', peer: 'lxd/1', user: 'nova', remote: expect.objectContaining({ name: hostOf(1), takeOver: true, pinnedCert: serverCertOf(1) }) }]);
    expect(planRemoteChanges(desired, withForeign('https://192.0.2.99:8443')).conflicts).toEqual([{ user: 'nova', name: hostOf(1), peer: 'lxd/1' }]);
  });

  test('with a scope, only the peers whose records changed are planned', () => {
    const desired = desiredFor(peerBags(12));
    const plan = planRemoteChanges(desired, EMPTY, new Set(['lxd/7']));
    expect(new Set(plan.changes.map((c) => c.peer))).toEqual(new Set(['lxd/7']));
    expect(plan.changes).toHaveLength(2 + USERS.length);
  });

  test.each([3, 6, 12])('in a converged mesh of %i peers one changed peer costs the same: one change per user', (count) => {
    const before = desiredFor(peerBags(count));
    const bags = peerBags(count);
    bags.set(unit(1), peerBag(1, { address: '10.9.9.1' }));
    expect(planRemoteChanges(desiredFor(bags), converged(before)).changes).toHaveLength(USERS.length);
  });
});

describe('legacy peers', () => {
  const bags = (): Map<string, Bag> => new Map([...peerBags(2), [unit(3), legacyPeerBag(3)]]);

  test('are joined by password for every user, and the legacy keys are published while one is present', () => {
    const desired = desiredFor(bags());
    expect(desired.publishLegacy).toBe(true);
    expect(desired.trust.size).toBe(4); // legacy peers publish no client certificates
    const legacy = planRemoteChanges(desired, converged(desiredFor(peerBags(2)))).changes;
    expect(kinds(legacy)).toEqual(['join-legacy-remote nova lxd/3', 'join-legacy-remote root lxd/3']);
    expect(JSON.stringify(legacy)).not.toContain('pw3');
  });

  test('once joined (pinned by the join) nothing more is done; an address change is a URL update', () => {
    const desired = desiredFor(bags());
    expect(planRemoteChanges(desired, converged(desired)).changes).toEqual([]);
    const moved = bags().set(unit(3), legacyPeerBag(3, { address: '10.1.1.1' }));
    expect(kinds(planRemoteChanges(desiredFor(moved), converged(desired)).changes)).toEqual(['update-remote-url nova lxd/3', 'update-remote-url root lxd/3']);
  });

  test('the legacy keys are withdrawn when no legacy peer is left', () => {
    expect(desiredFor(peerBags(2)).publishLegacy).toBe(false);
    expect(desiredFor(bags(), 'lxd/3').publishLegacy).toBe(false);
  });

  test('this unit\'s record is published only where it differs from its bag, the password\'s value never in the plan', () => {
    const desired = desiredFor(peerBags(2));
    const own: Bag = { version: '1', hostname: hostOf(0), password: 'pw', pool: 'lxd' };
    const publish = (record: Omit<OwnRecordInput, 'relationId' | 'own'>, bag: Bag = own): readonly PeerChange[] =>
      planPeers({ desired, work: null, scope: undefined, record: { relationId: 'lxd-migration:1', own: bag, ...record }, fresh: new Map(), members: new Set(), users: [], state: readCharmState({}) }).changes;
    // a legacy peer is here and the bag holds the current password: nothing to write
    expect(publish({ wanted: { version: '1', hostname: hostOf(0), pool: 'lxd' }, legacyPassword: true, passwordCurrent: true })).toEqual([]);
    // the password changed: written, by the applier (the plan says only that it must be)
    expect(publish({ wanted: { version: '1', hostname: hostOf(0), pool: 'lxd' }, legacyPassword: true, passwordCurrent: false })).toEqual([{ kind: 'publish-peer-record', relationId: 'lxd-migration:1', values: {}, password: true }]);
    // no legacy peer left: the legacy keys go ("" deletes)
    expect(publish({ wanted: { version: '1', hostname: hostOf(0), pool: '', password: '' }, legacyPassword: false, passwordCurrent: false })).toEqual([{ kind: 'publish-peer-record', relationId: 'lxd-migration:1', values: { pool: '', password: '' }, password: false }]);
    // a new address: only that key
    expect(publish({ wanted: { version: '1', hostname: hostOf(0), address: '10.0.9.9', pool: '', password: '' }, legacyPassword: false, passwordCurrent: false }, { version: '1', hostname: hostOf(0) })).toEqual([{ kind: 'publish-peer-record', relationId: 'lxd-migration:1', values: { address: '10.0.9.9' }, password: false }]);
  });
});
