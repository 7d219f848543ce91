// readAhead: relation reads asked at most once per hook and startable early; this unit's own writes
// make its bag be read again; a failed read is not remembered.
import type { HookTools } from '../../src/juju/hook-tools';
import { readAhead } from '../../src/juju/read-ahead';
import { aUnit } from '../builders/juju-state';
import { FakeJuju } from '../fakes/fake-juju';
import { countingTools } from '../fakes/counting-tools';


const threePeers = (): FakeJuju => new FakeJuju(aUnit().withPeer('lxd/1', { hostname: 'one' }).withPeer('lxd/2', { hostname: 'two' }).withPeer('lxd/3', { hostname: 'three' }));
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('prefetched reads are the answers later reads get, each asked once', async () => {
  const { tools, calls } = countingTools<HookTools>(threePeers(), { withArgs: true });
  const ahead = readAhead(tools, 'lxd/0');
  ahead.prefetch('lxd-migration', (units) => units.filter((u) => u === 'lxd/2'));
  await settle();
  const [id = '?'] = await ahead.juju.relationIds('lxd-migration');
  expect(await ahead.juju.relationList(id)).toEqual(['lxd/1', 'lxd/2', 'lxd/3']);
  expect(await ahead.juju.relationGet(id, 'lxd/2')).toMatchObject({ hostname: 'two' });
  expect(await ahead.juju.relationGet(id, 'lxd/1')).toMatchObject({ hostname: 'one' }); // not prefetched: read now
  expect(await ahead.juju.relationGet(id, 'lxd/1')).toMatchObject({ hostname: 'one' });
  expect(calls).toEqual([`relationIds lxd-migration`, `relationList ${id}`, `relationGet ${id} lxd/0`, `relationGet ${id} lxd/2`, `relationGet ${id} lxd/1`]);
});

test('after this unit writes a bag, reading it again asks the tool (and sees the write)', async () => {
  const { tools, calls } = countingTools<HookTools>(threePeers(), { withArgs: true });
  const ahead = readAhead(tools, 'lxd/0');
  const [id = '?'] = await ahead.juju.relationIds('lxd-migration');
  await ahead.juju.relationGet(id, 'lxd/0');
  await ahead.juju.relationSet(id, { hostname: 'zero' });
  expect(await ahead.juju.relationGet(id, 'lxd/0')).toMatchObject({ hostname: 'zero' });
  expect(calls.filter((c) => c.startsWith('relationGet'))).toHaveLength(2);
});

test('a failed read is reported to the reader and asked again next time; other tools pass through', async () => {
  const juju = threePeers();
  const { tools, calls } = countingTools<HookTools>(juju, { withArgs: true });
  const ahead = readAhead(tools, 'lxd/0');
  await expect(ahead.juju.relationList('lxd-migration:99')).rejects.toThrow();
  await expect(ahead.juju.relationList('lxd-migration:99')).rejects.toThrow();
  expect(calls).toEqual(['relationList lxd-migration:99', 'relationList lxd-migration:99']);
  expect(await ahead.juju.stateGet()).toEqual(await juju.stateGet());
});
