// The periodic full check: update-status skips the converge while its memo is fresh (and so may the
// peer relation hooks), so a hand change to what only the full converge compares (a storage pool, a
// peer's remote in a user's lxc config, a peer's trust entry) stays until the last full check is
// FULL_CHECK_INTERVAL_MS old; then the next update-status converges fully and repairs all of it.
import { FULL_CHECK_INTERVAL_MS } from '../../src/reconcile/quick-check';
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeClientConfig } from '../fakes/fake-client-config';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxcClient } from '../fakes/fake-lxc-client';
import { FakeLxd } from '../fakes/fake-lxd';
import { MemoryMemo } from '../fakes/memory-memo';
import { hostOf, peerBag, serverCertOf } from '../migration/builders';

const MINUTE = 60_000;

function converged(): { juju: FakeJuju; lxd: FakeLxd; host: FakeHost; clients: FakeClientConfig; lxc: FakeLxcClient; memo: MemoryMemo; hostname: string } {
  const clients = new FakeClientConfig();
  return {
    juju: new FakeJuju(aUnit('lxd/0').withConfig({ 'lvm-thinpool': false }).withRelation('lxd', { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } } }).withPeer('lxd/1', peerBag(1))),
    lxd: new FakeLxd({ certificatePem: serverCertOf(0) }),
    host: new FakeHost(),
    clients,
    lxc: new FakeLxcClient(clients),
    memo: new MemoryMemo(),
    hostname: hostOf(0),
  };
}

test(`a hand change to a pool, a remote and a trust entry is repaired by the full check once ${FULL_CHECK_INTERVAL_MS / MINUTE} minutes have passed`, async () => {
  const w = converged();
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(w.juju.unitStatus).toMatchObject({ status: 'active', message: expect.stringContaining('1/1 peers wired') });
  const wired = { nova: w.clients.remotesOf('nova'), trust: [...w.lxd.trust.values()].map((e) => e.name).sort() };
  expect(Object.keys(wired.nova)).toEqual([hostOf(1)]);
  expect(wired.trust).toEqual(['juju-lxd-1-nova', 'juju-lxd-1-root']);

  // by hand: the pool deleted, nova's remote for the peer removed, the peer's root certificate untrusted
  w.lxd.pools.delete('lxd');
  const nova = (await w.clients.users(['nova'])).found[0];
  if (!nova) throw new Error('no nova user in the fake');
  await w.clients.removeRemote(nova, hostOf(1));
  const rootEntry = [...w.lxd.trust].find(([, e]) => e.name === 'juju-lxd-1-root');
  if (!rootEntry) throw new Error('no trust entry for lxd/1 root');
  w.lxd.trust.delete(rootEntry[0]);

  // within the period update-status ends at the memo: nothing repaired, no hook tool run
  const lxdWrites = w.lxd.writes.length;
  const early = await runHook('update-status', { ...w, now: () => new Date(FULL_CHECK_INTERVAL_MS - MINUTE) });
  expect(early.exitCode).toBe(0);
  expect(w.lxd.writes.length).toBe(lxdWrites);
  expect(w.lxd.pools.has('lxd')).toBe(false);
  expect(w.clients.remotesOf('nova')).toEqual({});

  // once the period has elapsed: the full converge, and everything is back
  expect((await runHook('update-status', { ...w, now: () => new Date(FULL_CHECK_INTERVAL_MS) })).exitCode).toBe(0);
  expect(w.juju.logs).toContain('INFO update-status: the last full check is an hour old: converging');
  expect(w.lxd.pools.has('lxd')).toBe(true);
  expect(w.clients.remotesOf('nova')).toEqual(wired.nova);
  expect([...w.lxd.trust.values()].map((e) => e.name).sort()).toEqual(wired.trust);
  expect(w.juju.unitStatus).toMatchObject({ status: 'active', message: expect.stringContaining('1/1 peers wired') });
});
