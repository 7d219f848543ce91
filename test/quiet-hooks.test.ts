// The hook entry point's early end: after a full converge left its memo, update-status and
// config-changed end without the full charm only while nothing they compare has changed.
import { hookIsQuiet, quietCandidate, type QuietHook } from '../src/quiet-hooks';
import { inputsDigest } from '../src/reconcile/quick-check';
import type { HookTools } from '../src/juju/hook-tools';
import { aUnit } from './builders/juju-state';
import { runAction, runHook } from './builders/run-hook';
import { FakeHost } from './fakes/fake-host';
import { FakeJuju } from './fakes/fake-juju';
import { FakeLxd } from './fakes/fake-lxd';
import { MemoryMemo } from './fakes/memory-memo';
import { countingTools } from './fakes/counting-tools';
import { FakeClientConfig } from './fakes/fake-client-config';
import { FakeLxcClient } from './fakes/fake-lxc-client';
import { hostOf, peerBag, serverCertOf } from './migration/builders';


interface World { juju: FakeJuju; lxd: FakeLxd; host: FakeHost; memo: MemoryMemo }

async function converged(): Promise<World> {
  const w: World = { juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false })), lxd: new FakeLxd(), host: new FakeHost(), memo: new MemoryMemo() };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  return w;
}

async function quiet(w: World, hook: QuietHook, juju: HookTools = w.juju, now = new Date(0)): Promise<{ quiet: boolean; askedJuju: boolean }> {
  let askedJuju = false;
  const result = await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => { askedJuju = true; return juju; }, now });
  return { quiet: result, askedJuju };
}

test('which runs may end early: update-status and config-changed hooks only', () => {
  expect(quietCandidate('hooks/update-status')).toBe('update-status');
  expect(quietCandidate('/var/lib/juju/agents/unit-lxd-0/charm/hooks/config-changed')).toBe('config-changed');
  expect(quietCandidate('actions/update-status')).toBeNull();
  expect(quietCandidate('hooks/start')).toBeNull();
  expect(quietCandidate(undefined)).toBeNull();
});

test('right after a converge both are quiet; update-status asks Juju nothing and LXD nothing (it looks at the daemon in /proc)', async () => {
  const w = await converged();
  const reads = w.lxd.serverReads;
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
  expect(w.lxd.serverReads).toBe(reads);
  expect(await quiet(w, 'config-changed')).toEqual({ quiet: true, askedJuju: true });
  expect(w.lxd.serverReads).toBe(reads + 1);
});

test('update-status is not quiet once the LXD daemon the converge saw is gone: stopped, restarted, or its pid reused by a later process', async () => {
  const w = await converged();
  const at = (minutes: number): Date => new Date(minutes * 60_000);
  const stopped = { ...w, lxd: new FakeLxd({ down: true }) };
  expect((await quiet(stopped, 'update-status')).quiet).toBe(false);
  w.lxd.restartDaemon(at(5), w.lxd.serverPid); // same pid, started after the converge's check
  expect((await quiet(w, 'update-status', w.juju, at(6))).quiet).toBe(false);
  w.lxd.restartDaemon(at(-5)); // another pid
  expect((await quiet(w, 'update-status')).quiet).toBe(false);
  // and the full charm's update-status (it GETs /1.0) sees the new pid too: it converges and remembers it
  const run = await runHook('update-status', w);
  expect(run.exitCode).toBe(0);
  expect(w.juju.logs).toContain('INFO update-status: the LXD daemon the last converge saw is not running: converging');
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
});

test('config-changed is not quiet once a value or the bind address changed; update-status does not look at those', async () => {
  const w = await converged();
  const changedConfig = new FakeJuju({ ...w.juju.state, config: { ...w.juju.state.config, 'bridge-mtu': 9000 } });
  expect((await quiet(w, 'config-changed', changedConfig)).quiet).toBe(false);
  const moved = new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).withAddress('10.0.0.99'));
  expect((await quiet(w, 'config-changed', moved)).quiet).toBe(false);
  expect((await quiet(w, 'update-status')).quiet).toBe(true);
});

test('neither is quiet when LXD is down, no memo exists, or the last full check is an hour old; a hand change to the server config: config-changed notices, update-status leaves it to the full check', async () => {
  const w = await converged();
  for (const hook of ['update-status', 'config-changed'] as const) expect((await quiet(w, hook, w.juju, new Date(60 * 60_000))).quiet).toBe(false);
  await w.lxd.patchServerConfig({ 'core.https_address': '[::]:9999' });
  expect((await quiet(w, 'config-changed')).quiet).toBe(false);
  expect((await quiet(w, 'update-status')).quiet).toBe(true);
  expect((await quiet(w, 'update-status', w.juju, new Date(60 * 60_000))).quiet).toBe(false);
  const down = { ...w, lxd: new FakeLxd({ down: true }) };
  expect((await quiet(down, 'update-status')).quiet).toBe(false);
  const fresh = { ...w, memo: new MemoryMemo() };
  expect((await quiet(fresh, 'config-changed')).quiet).toBe(false);
});

test.each<[string, (text: string) => string | null]>([
  ['missing', () => null],
  ['corrupt (cut short)', (text) => text.slice(0, text.length - 7)],
  ['from another charm version', (text) => JSON.stringify({ ...JSON.parse(text), charmVersion: '0.0.9+abc1234' })],
])('a memo %s: neither hook is quiet, so the full charm converges', async (_, memo) => {
  const w = await converged();
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
  w.memo.text = memo(w.memo.text ?? '');
  for (const hook of ['update-status', 'config-changed'] as const) expect((await quiet(w, hook)).quiet).toBe(false);
});

test('the inputs digest: the same for the same values in any key order, another for any changed value or address', () => {
  const digest = inputsDigest({ a: 1, b: 'x' }, '10.0.0.5');
  expect(digest).toMatch(/^[0-9a-f]{16}$/);
  expect(inputsDigest({ b: 'x', a: 1 }, '10.0.0.5')).toBe(digest);
  for (const other of [inputsDigest({ a: 2, b: 'x' }, '10.0.0.5'), inputsDigest({ a: 1, b: 'y' }, '10.0.0.5'), inputsDigest({ a: 1, b: 'x' }, '10.0.0.6'), inputsDigest({ a: 1, b: 'x' }, null)]) expect(other).not.toBe(digest);
});

test('neither is quiet once a remembered loop device no longer holds its file', async () => {
  const w = await converged();
  w.memo.text = JSON.stringify({ ...JSON.parse(w.memo.text ?? '{}'), loops: [{ file: '/srv/a.img', device: '/dev/loop4' }] });
  const asked: string[] = [];
  const attached = (answer: boolean) => async (file: string, device: string) => {
    asked.push(`${file} ${device}`);
    return answer;
  };
  for (const hook of ['update-status', 'config-changed'] as const) {
    expect(await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => w.juju, now: new Date(0), loopAttached: attached(true) })).toBe(true);
    expect(await hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => w.juju, now: new Date(0), loopAttached: attached(false) })).toBe(false);
  }
  expect(asked).toEqual(Array(4).fill('/srv/a.img /dev/loop4'));
});

test('an action that finds the listener unset by hand asks for a recheck: the next update-status converges and restores it', async () => {
  const w = await converged();
  const address = w.lxd.serverConfig['core.https_address'];
  await w.lxd.patchServerConfig({ 'core.https_address': '' });
  expect((await quiet(w, 'update-status')).quiet).toBe(true); // the quick path alone would wait for the hourly check
  const acting = { ...w, juju: new FakeJuju(aUnit().withConfig({ 'lvm-thinpool': false }).runningAction('get-client-token')) };
  expect((await runAction('get-client-token', acting)).exitCode).toBe(0);
  expect(acting.juju.state.action?.failed).toMatch(/^LXD is not listening on the network, so a token could not be redeemed: the next hook restores/);
  expect(JSON.parse(w.memo.text ?? '{}')).toMatchObject({ recheck: 'LXD not listening on the network' });
  expect((await quiet(w, 'update-status')).quiet).toBe(false);
  expect((await runHook('update-status', w)).exitCode).toBe(0);
  expect(w.juju.logs).toContain('INFO update-status: an action found LXD not listening on the network: converging');
  expect(w.lxd.serverConfig['core.https_address']).toBe(address);
  expect(JSON.parse(w.memo.text ?? '{}')).not.toHaveProperty('recheck');
  expect(await quiet(w, 'update-status')).toEqual({ quiet: true, askedJuju: false });
});

describe('a peer\'s -joined/-changed', () => {
  interface PeerWorld extends World { clients: FakeClientConfig; lxc: FakeLxcClient; hostname: string }

  async function wiredToPeer(): Promise<PeerWorld> {
    const clients = new FakeClientConfig();
    const w: PeerWorld = {
      juju: new FakeJuju(aUnit('lxd/0').withConfig({ 'lvm-thinpool': false }).withPeer('lxd/1', peerBag(1))),
      lxd: new FakeLxd({ certificatePem: serverCertOf(0) }),
      host: new FakeHost(),
      memo: new MemoryMemo(),
      clients,
      lxc: new FakeLxcClient(clients),
      hostname: hostOf(0),
    };
    expect((await runHook('config-changed', w)).exitCode).toBe(0);
    expect(w.juju.unitStatus.message).toContain('1/1 peers wired');
    return w;
  }

  const peerRelation = async (w: World): Promise<string> => (await w.juju.relationIds('lxd-migration'))[0] ?? '';

  async function peerQuiet(w: World, unit: string, hook: QuietHook = 'peer-changed', now = new Date(0)): Promise<boolean> {
    return hookIsQuiet({ hook, memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => w.juju, now, peer: { relationId: await peerRelation(w), unit } });
  }

  /** The peer relation as the next hook sees it, with `unit`'s bag replaced. */
  function setPeer(w: World, unit: string, bag: Record<string, string>): void {
    const state = w.juju.state;
    const peers = state.relations.find((r) => r.peer);
    if (!peers) throw new Error('no peer relation');
    peers.remoteUnits[unit] = { ...bag };
    w.juju = new FakeJuju(state);
  }

  test('are candidates; -departed, another endpoint\'s hooks and actions are not', () => {
    expect(quietCandidate('hooks/lxd-migration-relation-joined')).toBe('peer-joined');
    expect(quietCandidate('hooks/lxd-migration-relation-changed')).toBe('peer-changed');
    expect(quietCandidate('hooks/lxd-migration-relation-departed')).toBeNull();
    expect(quietCandidate('hooks/lxd-relation-changed')).toBeNull();
    expect(quietCandidate('hooks/constructor')).toBeNull();
    expect(quietCandidate('actions/lxd-migration-relation-changed')).toBeNull();
  });

  test('end quietly when the peer brings the record this unit wired: a state-get and a relation-get, no LXD connection, no write', async () => {
    const w = await wiredToPeer();
    const reads = w.lxd.serverReads;
    const { tools, calls } = countingTools(w.juju);
    expect(await hookIsQuiet({ hook: 'peer-changed', memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => tools, now: new Date(0), peer: { relationId: await peerRelation(w), unit: 'lxd/1' } })).toBe(true);
    expect(calls.sort()).toEqual(['relationGet', 'stateGet']);
    expect(w.lxd.serverReads).toBe(reads);
    expect(await peerQuiet(w, 'lxd/1', 'peer-joined')).toBe(true);
  });

  test('hand over to the full charm when the record changed, which wires it; then the next -changed is quiet', async () => {
    const w = await wiredToPeer();
    setPeer(w, 'lxd/1', peerBag(1, { address: '10.0.9.9' }));
    expect(await peerQuiet(w, 'lxd/1')).toBe(false);
    expect((await runHook('lxd-migration-relation-changed', w, { remoteUnit: 'lxd/1' })).exitCode).toBe(0);
    expect((w as PeerWorld).clients.remotesOf('root')).toEqual({ [hostOf(1)]: 'https://10.0.9.9:8443 (pinned)' });
    expect(await peerQuiet(w, 'lxd/1')).toBe(true);
  });

  test('hand over for a peer this unit has no wired memory of: a new peer, a refused or pending one, a forgotten one, another unit\'s value', async () => {
    const w = await wiredToPeer();
    setPeer(w, 'lxd/2', peerBag(2));
    expect(await peerQuiet(w, 'lxd/2', 'peer-joined')).toBe(false);
    const key = 'migration-peer-lxd-1';
    const remembered = w.juju.state.charmState[key] ?? '';
    expect(JSON.parse(remembered)).toMatchObject({ v: 2, unit: 'lxd/1', wired: true, kind: 'record' });
    for (const text of [
      JSON.stringify({ ...JSON.parse(remembered), wired: false }),
      JSON.stringify({ ...JSON.parse(remembered), kind: 'refused' }),
      JSON.stringify({ ...JSON.parse(remembered), unit: 'lxd/7' }),
      JSON.stringify({ ...JSON.parse(remembered), v: 1 }),
      remembered.slice(0, 30),
      '',
    ]) {
      w.juju = new FakeJuju({ ...w.juju.state, charmState: { ...w.juju.state.charmState, [key]: text } });
      expect(await peerQuiet(w, 'lxd/1')).toBe(false);
    }
  });

  test('hand over when the memo does: the last converge not active, an hour old, an action\'s recheck, LXD restarted, no relation in the environment', async () => {
    const w = await wiredToPeer();
    expect(await peerQuiet(w, 'lxd/1', 'peer-changed', new Date(60 * 60_000))).toBe(false);
    const text = w.memo.text ?? '';
    w.memo.text = JSON.stringify({ ...JSON.parse(text), lastStatus: 'waiting|1/2 peers wired' });
    expect(await peerQuiet(w, 'lxd/1')).toBe(false);
    w.memo.text = JSON.stringify({ ...JSON.parse(text), recheck: 'LXD not listening on the network' });
    expect(await peerQuiet(w, 'lxd/1')).toBe(false);
    w.memo.text = text;
    expect(await peerQuiet(w, 'lxd/1')).toBe(true);
    expect(await hookIsQuiet({ hook: 'peer-changed', memo: w.memo, lxd: w.lxd, daemon: w.lxd.daemon, juju: async () => w.juju, now: new Date(0) })).toBe(false);
    w.lxd.restartDaemon(new Date(5 * 60_000));
    expect(await peerQuiet(w, 'lxd/1', 'peer-changed', new Date(6 * 60_000))).toBe(false);
  });
});
