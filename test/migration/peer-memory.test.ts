import { desiredMigration, planRemoteChanges } from '../../src/reconcile/peers';
import { OLD_WIRING_KEY, parsePeerMemory, peerMemoryKey, peerMemoryText, readPeerMemory, rememberPeer, type RememberedPeer } from '../../src/model/peer-memory';
import { readCharmState, stateChanges, stateRemovals } from '../../src/model/charm-state';
import { planPeers } from '../../src/reconcile/peers';
import { parsePeerBag, recordDigest } from '../../src/model/peer-record';
import { clientCertOf, hostOf, legacyBag, peerBag, peerBags, unit , peerSetOf } from './builders';
import { parseCertificate } from '../../src/lxd/certificates';

const remember = (n: number, bag = peerBag(n)): RememberedPeer => rememberPeer(unit(n), recordDigest(bag), parsePeerBag(unit(n), bag));
const fingerprintOf = (pem: string): string => {
  const parsed = parseCertificate(pem);
  if (!('ok' in parsed)) throw new Error(parsed.error);
  return parsed.ok.fingerprint;
};

describe('remembering a peer', () => {
  test('a current record is kept as its host name and client fingerprints, no certificate bodies', () => {
    const text = peerMemoryText(remember(3));
    expect(JSON.parse(text)).toEqual({
      v: 2,
      unit: 'lxd/3',
      digest: recordDigest(peerBag(3)),
      wired: true,
      kind: 'record',
      hostname: hostOf(3),
      clients: { nova: fingerprintOf(clientCertOf(3, 'nova')), root: fingerprintOf(clientCertOf(3, 'root')) },
    });
    expect(text).not.toContain('BEGIN');
    expect(text.length).toBeLessThan(300);
  });

  test.each([
    ['a legacy peer', legacyBag(3), { kind: 'legacy', hostname: hostOf(3), clients: {} }],
    ['a refused peer (no field of it kept)', peerBag(3, { hostname: '--help' }), { kind: 'refused' }],
    ['a peer that published nothing yet', { 'private-address': '10.0.0.13' }, { kind: 'pending' }],
  ])('%s', (_, bag, stored) => {
    const text = peerMemoryText(remember(3, bag));
    expect(JSON.parse(text)).toEqual({ v: 2, unit: 'lxd/3', digest: recordDigest(bag), wired: true, ...stored });
    expect(text).not.toContain('pw3');
    expect(parsePeerMemory(peerMemoryKey('lxd/3'), text)).toEqual(remember(3, bag));
  });

  test('the password of a legacy peer is never remembered', () => {
    expect(peerMemoryText(remember(3, legacyBag(3)))).not.toMatch(/password|pw3/);
  });
});

describe('reading memory back', () => {
  const good = peerMemoryText(remember(2));
  test.each([
    ['not JSON', '{"v":2,'],
    ['another version', good.replace('"v":2', '"v":3')],
    ['a host name that is an option', good.replace(hostOf(2), '--help')],
    ['a fingerprint that is not one', good.replace(/"root":"[0-9a-f]+"/, '"root":"xyz"')],
    ['a record without its host name', good.replace(/"hostname":"[^"]+",/, '')],
    ['an unknown key', good.replace('"v":2', '"v":2,"pem":"x"')],
    ['a bad digest', good.replace(/"digest":"[0-9a-f]+"/, '"digest":"nope"')],
  ])('%s is not used', (_, text) => {
    expect(parsePeerMemory(peerMemoryKey('lxd/2'), text)).toBeNull();
  });

  test('a value stored under another unit\'s key is not used', () => {
    expect(parsePeerMemory(peerMemoryKey('lxd/3'), good)).toBeNull();
  });

  test('readPeerMemory takes the migration-peer- keys that parse and ignores everything else', () => {
    const memory = readPeerMemory({ [peerMemoryKey('lxd/2')]: good, [peerMemoryKey('lxd/3')]: 'garbage', 'migration-wiring': '{}', nonce: 'x' });
    expect([...memory.keys()]).toEqual(['lxd/2']);
    expect(Object.getPrototypeOf((memory.get('lxd/2') as { summary: { clientFingerprints: object } }).summary.clientFingerprints)).toBeNull();
  });

  test('plan: new and changed peers remembered, unchanged ones not, departed ones forgotten (state-delete: Juju keeps a state-set "")', () => {
    const peerMemory = { [peerMemoryKey('lxd/1')]: peerMemoryText(remember(1)), [peerMemoryKey('lxd/2')]: peerMemoryText(remember(2)), [peerMemoryKey('lxd/9')]: 'old' };
    const before = { ...peerMemory, [peerMemoryKey('lxd/8')]: '' };
    const state = { ...readCharmState(before), peerUsers: ['nova', 'root'] };
    const fresh = new Map([[unit(1), remember(1)], [unit(2), remember(2, peerBag(2, { address: '10.0.9.2' }))], [unit(3), remember(3)]]);
    const desired = desiredMigration({ me: 'lxd/0', users: ['nova', 'root'], peers: peerSetOf(new Map()), departing: null });
    const { changes } = planPeers({ desired, work: null, scope: undefined, record: null, fresh, members: new Set(['lxd/1', 'lxd/2', 'lxd/3']), users: ['nova', 'root'], state });
    expect(changes.map((c) => `${c.kind} ${'peer' in c ? c.peer : ''}`)).toEqual(['remember-peer lxd/2', 'remember-peer lxd/3', 'forget-peer lxd/9']);
    const after = { ...state, peerMemory: { [peerMemoryKey('lxd/1')]: peerMemoryText(remember(1)), [peerMemoryKey('lxd/2')]: 'x', [peerMemoryKey('lxd/3')]: 'y' } };
    expect(Object.keys(stateChanges(before, after)).sort()).toEqual(['lxd-2', 'lxd-3'].map((k) => `migration-peer-${k}`).concat('migration-users').sort());
    expect(stateRemovals(before, after)).toEqual(['lxd-8', 'lxd-9'].map((k) => `migration-peer-${k}`));
  });
});

describe('upgrading from the two memories (migration-wiring + version-1 peer keys) to the one', () => {
  const v1 = (n: number, bag = peerBag(n)): string => {
    const { wired: _wired, ...rest } = JSON.parse(peerMemoryText(remember(n, bag))) as Record<string, unknown>;
    return JSON.stringify({ ...rest, v: 1 });
  };
  const oldBag = (): Record<string, string> => ({
    [OLD_WIRING_KEY]: JSON.stringify({ users: ['nova', 'root'], peers: { 'lxd/1': recordDigest(peerBag(1)), 'lxd/2': 'ffffffffffffffff' } }),
    [peerMemoryKey('lxd/1')]: v1(1),
    [peerMemoryKey('lxd/2')]: v1(2),
    nonce: 'n',
  });

  test('a peer is wired when the old key has its digest, waiting otherwise; the users come from the old key', () => {
    const state = readCharmState(oldBag());
    expect(state.peerUsers).toEqual(['nova', 'root']);
    const memory = readPeerMemory(state.peerMemory);
    expect(memory.get('lxd/1')).toEqual(remember(1));
    expect(memory.get('lxd/2')).toEqual({ ...remember(2), wired: false });
  });

  test('the upgraded memory is written in one state-set and the old key is deleted; after that nothing changes', () => {
    const before = oldBag();
    const state = readCharmState(before);
    const set = stateChanges(before, state);
    expect(Object.keys(set).sort()).toEqual(['migration-peer-lxd-1', 'migration-peer-lxd-2', 'migration-users']);
    expect(JSON.parse(set['migration-peer-lxd-1'] ?? '{}')).toMatchObject({ v: 2, wired: true });
    expect(stateRemovals(before, state)).toEqual([OLD_WIRING_KEY]);
    const { [OLD_WIRING_KEY]: _gone, ...committed } = { ...before, ...set };
    const again = readCharmState(committed);
    expect(stateChanges(committed, again)).toEqual({});
    expect(stateRemovals(committed, again)).toEqual([]);
    expect(readPeerMemory(again.peerMemory)).toEqual(readPeerMemory(state.peerMemory));
  });

  test('version-1 keys without the old wiring key are memory of nothing wired: those peers are read again', () => {
    const { [OLD_WIRING_KEY]: _old, ...bag } = oldBag();
    const state = readCharmState(bag);
    expect(state.peerUsers).toEqual([]);
    expect([...readPeerMemory(state.peerMemory).values()].map((p) => p.wired)).toEqual([false, false]);
  });
});

describe('planning with remembered peers', () => {
  const knownOf = (...ns: number[]): Map<string, RememberedPeer> => new Map(ns.map((n) => [unit(n), remember(n)]));

  test('a remembered peer\'s host name still collides with a changed peer\'s', () => {
    const set = peerSetOf(new Map([[unit(3), peerBag(3, { hostname: hostOf(1) })]]), knownOf(1, 2));
    expect([...set.refused.keys()]).toEqual(['lxd/1', 'lxd/3']);
    expect(set.known.map((p) => p.unit)).toEqual(['lxd/2']);
  });

  test('remembered peers count as peers, keep their remotes and trust, and are checked for name conflicts', () => {
    const bags = peerBags(3);
    const full = desiredMigration({ me: 'lxd/0', users: ['nova', 'root'], peers: peerSetOf(bags), departing: null });
    const scoped = desiredMigration({ me: 'lxd/0', users: ['nova', 'root'], peers: peerSetOf(new Map([[unit(3), peerBag(3)]]), knownOf(1, 2)), departing: null });
    expect(scoped.peerUnits).toEqual(full.peerUnits);
    // a unit wired to all three: nothing for the remembered ones, not even when planned unscoped
    const wired = planRemoteChanges(full, { clients: new Map(), trust: [] });
    const trust = wired.changes.flatMap((c) => (c.kind === 'trust-cert' ? [{ name: c.cert.name, fingerprint: c.cert.fingerprint, type: 'client' }] : []));
    const managed = new Map(wired.changes.flatMap((c) => (c.kind === 'add-remote' && c.user === 'nova' ? [[c.remote.name, { name: c.remote.name, url: c.remote.url, pinnedCert: c.remote.pinnedCert, peer: c.peer }] as const] : [])));
    const clients = new Map([['nova', { managed, foreign: new Set<string>() }], ['root', { managed, foreign: new Set<string>() }]]);
    expect(planRemoteChanges(scoped, { clients, trust }).changes).toEqual([]);
    // an operator's own remote under a remembered peer's name is still reported
    const taken = new Map([...managed].filter(([name]) => name !== hostOf(1)));
    const conflicted = new Map([['nova', { managed: taken, foreign: new Set([hostOf(1)]) }], ['root', { managed, foreign: new Set<string>() }]]);
    expect(planRemoteChanges(scoped, { clients: conflicted, trust }).conflicts).toEqual([{ user: 'nova', name: hostOf(1), peer: 'lxd/1' }]);
  });
});
