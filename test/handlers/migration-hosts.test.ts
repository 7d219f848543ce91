// The wiring keeps /etc/hosts resolving every wired peer's host name (what nova-lxd dials) to the
// address it publishes: added with the peer, moved with it, removed when it departs, and a converged
// unit writes nothing.
import { HOSTS_BEGIN } from '../../src/model/peer-hosts';
import { aUnit } from '../builders/juju-state';
import { addressOf, hostOf, peerBag } from '../migration/builders';
import { MigrationWorld } from '../migration/world';

const BASE = '127.0.0.1\tlocalhost\n127.0.1.1\tjuju-host-0\n';
const twoPeers = (): MigrationWorld => new MigrationWorld(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/2', peerBag(2)));
const lines = (w: MigrationWorld): string[] => w.hosts.text.split('\n').filter((l) => l !== '');

test('two peers: their host names resolve to their published addresses; the hook again writes nothing', async () => {
  const w = twoPeers();
  await w.run();
  expect(lines(w)).toEqual([...BASE.trim().split('\n'), HOSTS_BEGIN, `${addressOf(1)}\t${hostOf(1)}\t# lxd/1`, `${addressOf(2)}\t${hostOf(2)}\t# lxd/2`, expect.stringMatching(/^# END/)]);
  expect(w.juju.logs.join('\n')).toContain(`hosts: ${hostOf(1)} is ${addressOf(1)} (lxd/1)`);
  const writes = w.hosts.writes.length;
  await w.run();
  await w.run('update-status');
  expect(w.hosts.writes).toHaveLength(writes);
});

test('a peer that moved: only its line changes, in its own -changed', async () => {
  const w = twoPeers();
  await w.run();
  w.setPeer('lxd/2', peerBag(2, { address: '10.0.9.9' }));
  await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/2' });
  expect(lines(w)).toContain(`10.0.9.9\t${hostOf(2)}\t# lxd/2`);
  expect(lines(w)).toContain(`${addressOf(1)}\t${hostOf(1)}\t# lxd/1`);
  expect(lines(w).filter((l) => l.endsWith('# lxd/2'))).toHaveLength(1);
});

test('a departed peer\'s line goes; when this unit departs, the whole block goes and the rest stays', async () => {
  const w = twoPeers();
  await w.run();
  w.setPeer('lxd/2', null);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/2', departingUnit: 'lxd/2' });
  expect(lines(w).filter((l) => l.includes('# lxd/'))).toEqual([`${addressOf(1)}\t${hostOf(1)}\t# lxd/1`]);
  await w.run('lxd-migration-relation-departed', { remoteUnit: 'lxd/1', departingUnit: 'lxd/0' });
  expect(w.hosts.text).toBe(BASE);
});

test('a refused record gets no line; /etc/hosts that cannot be written leaves the peers waiting, saying why', async () => {
  const hostile = new MigrationWorld(aUnit('lxd/0').withPeer('lxd/1', peerBag(1)).withPeer('lxd/2', peerBag(2, { hostname: '--help' })));
  await hostile.run();
  expect(lines(hostile).filter((l) => l.includes('# lxd/'))).toEqual([`${addressOf(1)}\t${hostOf(1)}\t# lxd/1`]);

  const w = twoPeers();
  w.hosts.failWith = 'EROFS: read-only file system';
  const result = await w.run();
  expect(result?.waiting).toEqual([
    { unit: 'lxd/1', reason: 'cannot write /etc/hosts: EROFS: read-only file system' },
    { unit: 'lxd/2', reason: 'cannot write /etc/hosts: EROFS: read-only file system' },
  ]);
  w.hosts.failWith = null;
  expect((await w.run('lxd-migration-relation-changed', { remoteUnit: 'lxd/1' }))?.waiting).toEqual([]);
  expect(lines(w).filter((l) => l.includes('# lxd/'))).toHaveLength(2);
});
