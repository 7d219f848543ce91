// A peer's own -joined/-changed reads only that peer's bag and this unit's: every other peer comes from
// what this unit remembered in its charm state. The cost is flat in the number of peers, and the outcome
// (wiring, status totals, collisions) is what a hook reading every bag would reach.
import { STATE_KEYS } from '../../src/model/charm-state';
import { peerMemoryKey } from '../../src/model/peer-memory';
import { addressOf, hostOf, legacyBag, peerBag, serverCertOf } from '../migration/builders';
import { MigrationWorld, USERS } from '../migration/world';

type Bag = Readonly<Record<string, string>>;

const CHANGED = 'lxd-migration-relation-changed';

/** A unit wired to `count` peers (lxd/1..count) by a full hook, its memory committed. */
async function converged(count: number): Promise<MigrationWorld> {
  const w = new MigrationWorld(count);
  const first = await w.run('update-status');
  expect(first?.wired).toHaveLength(count);
  return w;
}

describe.each([5, 50])('with %i peers remembered', (count) => {
  test('a changed peer\'s -changed reads two bags (this unit\'s, the peer\'s) and does LXD work for that peer only', async () => {
    const w = await converged(count);
    w.setPeer('lxd/3', peerBag(3, { address: '10.0.9.3' }));
    let result = null;
    const cost = await w.measure(async () => (result = await w.run(CHANGED, { remoteUnit: 'lxd/3' })));
    expect(cost.relationGets).toEqual(['lxd/0', 'lxd/3']);
    expect(cost.tools.filter((t) => t === 'relation-list')).toHaveLength(1);
    expect(cost.lxd).toEqual(['GET /1.0/certificates']);
    expect(cost.files).toEqual([`write nova ${hostOf(3)} https://10.0.9.3:8443`, `write root ${hostOf(3)} https://10.0.9.3:8443`]);
    expect(result).toEqual({ total: count, wired: Array.from({ length: count }, (_, i) => `lxd/${i + 1}`), waiting: [], conflicts: [], refused: [] });
  });

  test('a -changed with nothing new reads two bags, calls LXD not at all and writes nothing', async () => {
    const w = await converged(count);
    const cost = await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/4' }));
    expect(cost.relationGets).toEqual(['lxd/0', 'lxd/4']);
    expect(cost.lxd).toEqual([]);
    expect(cost.files).toEqual([]);
    expect(cost.tools).toEqual(['relation-ids', 'relation-list', 'relation-get lxd/0', 'relation-get lxd/4']);
  });

  test('a changed peer taking a remembered peer\'s host name is refused with it, as a full read would decide', async () => {
    const w = await converged(count);
    w.setPeer('lxd/3', peerBag(3, { hostname: hostOf(2) }));
    const cost = await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/3' }));
    expect(cost.relationGets).toEqual(['lxd/0', 'lxd/3']);
    const scoped = await w.run(CHANGED, { remoteUnit: 'lxd/3' });
    expect(scoped).toMatchObject({ total: count - 2, refused: ['lxd/2', 'lxd/3'], waiting: [], conflicts: [] });
    expect(w.juju.logs).toContainEqual(`WARNING peer lxd/3 refused: hostname "${hostOf(2)}" collides with the remote name of lxd/2`);
    // what was wired for both stays as it is
    expect(Object.keys(w.clients.remotesOf('nova'))).toContain(hostOf(2));
    expect(Object.keys(w.clients.remotesOf('nova'))).toContain(hostOf(3));
    expect(await w.run('update-status')).toEqual(scoped);
  });
});

test('the hook-tool calls of a one-peer -changed are the same for 5 and 50 peers', async () => {
  const callsFor = async (count: number): Promise<string[]> => {
    const w = await converged(count);
    w.setPeer('lxd/2', peerBag(2, { address: '10.0.9.2' }));
    return (await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/2' }))).tools;
  };
  const five = await callsFor(5);
  // juju-log: the moved remote of root and of nova, and the moved /etc/hosts line
  expect(five).toEqual(['relation-ids', 'relation-list', 'relation-get lxd/0', 'relation-get lxd/2', 'juju-log', 'juju-log', 'juju-log', 'state-set']);
  expect(await callsFor(50)).toEqual(five);
});

test('a new peer\'s -joined reads its bag only and wires it; the totals count the remembered peers', async () => {
  const w = await converged(5);
  w.setPeer('lxd/6', peerBag(6));
  const cost = await w.measure(() => w.run('lxd-migration-relation-joined', { remoteUnit: 'lxd/6' }));
  expect(cost.relationGets).toEqual(['lxd/0', 'lxd/6']);
  expect(cost.lxd).toEqual(['GET /1.0/certificates', 'POST /1.0/certificates juju-lxd-6-nova', 'POST /1.0/certificates juju-lxd-6-root']);
  expect(w.clients.remotesOf('nova')[hostOf(6)]).toBe(`https://${addressOf(6)}:8443 (pinned)`);
  expect((await w.run(CHANGED, { remoteUnit: 'lxd/6' }))?.wired).toEqual(['lxd/1', 'lxd/2', 'lxd/3', 'lxd/4', 'lxd/5', 'lxd/6']);
});

test('a remembered legacy peer keeps the legacy keys published through another peer\'s -changed', async () => {
  const bags = new Map([1, 2, 3].map((n) => [`lxd/${n}`, peerBag(n)]));
  bags.set('lxd/4', legacyBag(4));
  const w = new MigrationWorld(bags);
  // joined earlier by password (a join needs a real peer): the remote is there, pinned
  for (const user of USERS) await w.clients.writeRemote(user, { name: hostOf(4), url: `https://${addressOf(4)}:8443`, pinnedCert: serverCertOf(4), peer: 'lxd/4' });
  expect((await w.run('update-status'))?.wired).toEqual(['lxd/1', 'lxd/2', 'lxd/3', 'lxd/4']);
  const own = (): Bag => w.juju.state.relations.find((r) => r.peer)?.localUnit ?? {};
  expect(own().password).toBe('not-used');
  w.setPeer('lxd/2', peerBag(2, { address: '10.0.9.2' }));
  const cost = await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/2' }));
  expect(cost.relationGets).toEqual(['lxd/0', 'lxd/2']);
  expect(own().password).toBe('not-used');
  expect(own().pool).toBe('lxd');
});

describe('memory that cannot be used: every bag is read, the outcome is the same', () => {
  const allBags = (count: number): string[] => ['lxd/0', ...Array.from({ length: count }, (_, i) => `lxd/${i + 1}`)];

  test.each([
    ['missing', null],
    ['not JSON', '["nova","root"'],
    ['not the shape', '{"users":["nova","root"]}'],
  ])('the wired users\' memory %s', async (_, text) => {
    const w = await converged(5);
    w.setState(STATE_KEYS.peerUsers, text);
    w.setPeer('lxd/3', peerBag(3, { address: '10.0.9.3' }));
    const cost = await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/3' }));
    expect(cost.relationGets).toEqual(allBags(5));
    expect(cost.files).toEqual([`write nova ${hostOf(3)} https://10.0.9.3:8443`, `write root ${hostOf(3)} https://10.0.9.3:8443`]);
    expect(w.clients.remotesOf('root')).toHaveProperty(hostOf(5));
    // the full read rewrote the memory: the next -changed is cheap again
    w.setPeer('lxd/3', peerBag(3, { address: '10.0.9.33' }));
    expect((await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/3' }))).relationGets).toEqual(['lxd/0', 'lxd/3']);
  });

  test('a peer whose memory is corrupt, missing or of another unit is read; the others still come from memory', async () => {
    const w = await converged(5);
    w.setState(peerMemoryKey('lxd/1'), '{"v":1,"unit":"lxd/1","digest":"zz","kind":"record"}');
    w.setState(peerMemoryKey('lxd/2'), null);
    w.setState(peerMemoryKey('lxd/4'), w.juju.state.charmState[peerMemoryKey('lxd/5')] ?? '');
    const cost = await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/3' }));
    expect(cost.relationGets).toEqual(['lxd/0', 'lxd/1', 'lxd/2', 'lxd/3', 'lxd/4']);
    // not known to be wired: those peers are checked again (one trust read), and nothing is changed
    expect(cost.lxd).toEqual(['GET /1.0/certificates']);
    expect(cost.files).toEqual([]);
    expect(JSON.parse(w.juju.state.charmState[peerMemoryKey('lxd/4')] ?? '{}')).toMatchObject({ unit: 'lxd/4', wired: true });
  });

  test('a peer remembered as not wired (it was waiting) is read and retried', async () => {
    const w = await converged(5);
    const key = peerMemoryKey('lxd/5');
    w.setState(key, (w.juju.state.charmState[key] ?? '').replace('"wired":true', '"wired":false'));
    expect((await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/1' }))).relationGets).toEqual(['lxd/0', 'lxd/1', 'lxd/5']);
  });

  test.each([
    ['-departed', 'lxd-migration-relation-departed'],
    ['update-status', 'update-status'],
    ['config-changed', 'config-changed'],
    ['upgrade-charm', 'upgrade-charm'],
  ])('%s reads every bag', async (_, hook) => {
    const w = await converged(5);
    const cost = await w.measure(() => w.run(hook, hook.includes('relation') ? { remoteUnit: 'lxd/5', departingUnit: 'lxd/5' } : {}));
    expect(cost.relationGets).toEqual(allBags(5));
  });

  test('a -changed after the local users changed reads every bag', async () => {
    const w = await converged(5);
    let result = null;
    const cost = await w.measure(async () => (result = await w.run(CHANGED, { remoteUnit: 'lxd/2' }, { relationUsers: [] })));
    expect(cost.relationGets).toEqual(allBags(5));
    expect(result).toMatchObject({ total: 5, waiting: [] });
    // the next -changed with the same users is cheap again
    expect((await w.measure(() => w.run(CHANGED, { remoteUnit: 'lxd/2' }, { relationUsers: [] }))).relationGets).toEqual(['lxd/0', 'lxd/2']);
  });
});

test('a departed peer\'s memory is dropped; 200 peers fit Juju\'s state limits with room to spare', async () => {
  const w = await converged(5);
  w.setPeer('lxd/5', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/5' });
  expect(Object.keys(w.juju.state.charmState).filter((k) => k.startsWith('migration-peer-')).sort()).toEqual(['lxd/1', 'lxd/2', 'lxd/3', 'lxd/4'].map(peerMemoryKey));
  const big = await converged(200);
  const memory = Object.entries(big.juju.state.charmState).filter(([k]) => k.startsWith('migration-'));
  const bytes = memory.reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  expect(bytes).toBeLessThan(200 * 400);
  for (const [, v] of memory) expect(v.length).toBeLessThan(64 * 1024);
}, 30_000);
