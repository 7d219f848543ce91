import { beginUnitRemoval } from '../../../src/model/lifecycle';
import { relateApps, removeUnit, setLeader, unrelateApps } from '../../../src/model/operations';
import { addSubordinates, charm, drain, drainUnit, modelWith, principalCharm, subordinateCharm } from './fixtures';

describe('new unit sequence (contract §4.2)', () => {
  test('install → created (peer) → leader-elected → config-changed → start, then joined/changed per peer', () => {
    const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 2 }]);
    const first = drainUnit(state, 'nova-compute/0');
    expect(first).toEqual([
      'nova-compute/0 install',
      'nova-compute/0 compute-peer-relation-created',
      'nova-compute/0 leader-elected',
      'nova-compute/0 config-changed',
      'nova-compute/0 start',
    ]);
    const second = drainUnit(state, 'nova-compute/1');
    expect(second).toEqual([
      'nova-compute/1 install',
      'nova-compute/1 compute-peer-relation-created',
      'nova-compute/1 leader-settings-changed',
      'nova-compute/1 config-changed',
      'nova-compute/1 start',
      'nova-compute/1 compute-peer-relation-joined remote=nova-compute/0',
      'nova-compute/1 compute-peer-relation-changed remote=nova-compute/0',
    ]);
    expect(drainUnit(state, 'nova-compute/0')).toEqual([
      'nova-compute/0 compute-peer-relation-joined remote=nova-compute/1',
      'nova-compute/0 compute-peer-relation-changed remote=nova-compute/1',
    ]);
  });

  test('an application with one unit sees no peer -joined', () => {
    const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 1 }]);
    expect(drain(state).filter((h) => h.includes('joined'))).toEqual([]);
  });

  test('the automatic address keys are in each unit bag on entering scope', () => {
    const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 1 }]);
    const peer = Object.values(state.relations)[0];
    expect(peer?.unitBags['nova-compute/0']).toEqual({
      'private-address': '10.0.0.10',
      'ingress-address': '10.0.0.10',
      'egress-subnets': '10.0.0.10/32',
    });
  });
});

describe('subordinates (contract §4.5)', () => {
  test('a subordinate application has no units until related; then one per principal, on its machine, numbered per app', () => {
    const state = modelWith([
      { name: 'nova-compute', charm: principalCharm, units: 2 },
      { name: 'lxd', charm: subordinateCharm, units: 0 },
    ]);
    drain(state);
    expect(Object.keys(state.units).filter((u) => u.startsWith('lxd/'))).toEqual([]);
    relateApps(state, 'lxd', 'nova-compute');
    addSubordinates(state);
    expect(state.units['lxd/0']).toMatchObject({ principal: 'nova-compute/0', machine: state.units['nova-compute/0']?.machine });
    expect(state.units['lxd/1']).toMatchObject({ principal: 'nova-compute/1', machine: state.units['nova-compute/1']?.machine });
    const ran = drain(state);
    const sub0 = ran.filter((h) => h.startsWith('lxd/0 '));
    expect(sub0.slice(0, 6)).toEqual([
      'lxd/0 install',
      expect.stringMatching(/^lxd\/0 (lxd|lxd-migration)-relation-created$/),
      expect.stringMatching(/^lxd\/0 (lxd|lxd-migration)-relation-created$/),
      'lxd/0 leader-elected',
      'lxd/0 config-changed',
      'lxd/0 start',
    ]);
    // the container relation pairs each subordinate with its own principal only
    expect(ran).toContain('lxd/0 lxd-relation-joined remote=nova-compute/0');
    expect(ran).not.toContain('lxd/0 lxd-relation-joined remote=nova-compute/1');
    expect(ran).toContain('nova-compute/1 lxd-relation-joined remote=lxd/1');
    // the peer relation is global: subordinates on different machines see each other
    expect(ran).toContain('lxd/0 lxd-migration-relation-joined remote=lxd/1');
    const rel = Object.values(state.relations).find((r) => r.key === 'lxd:lxd nova-compute:lxd');
    expect(rel?.joined['lxd/0']).toEqual(['nova-compute/0']);
  });

  test('a subordinate cannot be removed directly; removing its principal removes it first', () => {
    const state = modelWith([
      { name: 'nova-compute', charm: principalCharm, units: 2 },
      { name: 'lxd', charm: subordinateCharm, units: 0 },
    ]);
    relateApps(state, 'lxd', 'nova-compute');
    addSubordinates(state);
    drain(state);
    expect(() => removeUnit(state, 'lxd/1')).toThrow(/subordinate/);
    removeUnit(state, 'nova-compute/1');
    const ran = drain(state);
    expect(state.units['lxd/1']).toBeUndefined();
    expect(state.units['nova-compute/1']).toBeUndefined();
    expect(ran.filter((h) => h.startsWith('lxd/1 '))).toEqual([
      'lxd/1 lxd-migration-relation-departed remote=lxd/0 departing=lxd/1',
      'lxd/1 lxd-relation-departed remote=nova-compute/1 departing=lxd/1',
      'lxd/1 lxd-relation-broken',
      'lxd/1 stop',
      'lxd/1 remove',
    ]);
    expect(ran).toContain('lxd/0 lxd-migration-relation-departed remote=lxd/1 departing=lxd/1');
    expect(ran).not.toContain(expect.stringMatching(/lxd-migration-relation-broken/));
  });

  test('removing the container relation tears the subordinates down', () => {
    const state = modelWith([
      { name: 'nova-compute', charm: principalCharm, units: 1 },
      { name: 'lxd', charm: subordinateCharm, units: 0 },
    ]);
    relateApps(state, 'lxd', 'nova-compute');
    addSubordinates(state);
    drain(state);
    unrelateApps(state, 'lxd', 'nova-compute');
    const ran = drain(state);
    expect(ran).toEqual(
      expect.arrayContaining(['nova-compute/0 lxd-relation-departed remote=lxd/0 departing=lxd/0', 'nova-compute/0 lxd-relation-broken', 'lxd/0 lxd-relation-broken', 'lxd/0 remove']),
    );
    expect(Object.keys(state.units)).toEqual(['nova-compute/0']);
    // the container relation is gone; peer relations live as long as their applications
    expect(Object.values(state.relations).map((r) => r.key).sort()).toEqual(['lxd:lxd-migration', 'nova-compute:compute-peer']);
  });
});

describe('two subordinates in container scope (as lxd and grafana-agent on one principal)', () => {
  const collectorCharm = charm({
    name: 'collector',
    subordinate: true,
    endpoints: {
      'juju-info': { name: 'juju-info', role: 'requirer', interface: 'juju-info', scope: 'container' },
      'cos-agent': { name: 'cos-agent', role: 'requirer', interface: 'cos_agent', scope: 'container' },
    },
  });
  const lxdWithCos = charm({ ...subordinateCharm.meta, endpoints: { ...subordinateCharm.meta.endpoints, 'cos-agent': { name: 'cos-agent', role: 'provider', interface: 'cos_agent', scope: 'container' } } });

  test('their units meet only where they share a principal; no unit is made for the relation; unrelating leaves both', () => {
    const state = modelWith([
      { name: 'nova-compute', charm: principalCharm, units: 2 },
      { name: 'lxd', charm: lxdWithCos, units: 0 },
      { name: 'collector', charm: collectorCharm, units: 0 },
    ]);
    relateApps(state, 'lxd', 'nova-compute');
    relateApps(state, 'collector', 'nova-compute');
    addSubordinates(state);
    drain(state);
    relateApps(state, 'collector:cos-agent', 'lxd:cos-agent');
    addSubordinates(state);
    expect(Object.keys(state.units).filter((u) => u.startsWith('collector/')).sort()).toEqual(['collector/0', 'collector/1']);
    const ran = drain(state);
    const beside = (lxdUnit: string): string => Object.values(state.units).find((u) => u.app === 'collector' && u.principal === state.units[lxdUnit]?.principal)?.name ?? '?';
    expect(ran).toContain(`lxd/0 cos-agent-relation-joined remote=${beside('lxd/0')}`);
    expect(ran).toContain(`${beside('lxd/1')} cos-agent-relation-joined remote=lxd/1`);
    expect(ran).not.toContain(`lxd/0 cos-agent-relation-joined remote=${beside('lxd/1')}`);
    unrelateApps(state, 'collector:cos-agent', 'lxd:cos-agent');
    const after = drain(state);
    expect(after).toContain('lxd/0 cos-agent-relation-broken');
    expect(Object.keys(state.units).filter((u) => !u.startsWith('nova-compute/')).sort()).toEqual(['collector/0', 'collector/1', 'lxd/0', 'lxd/1']);
  });
});

describe('departures (contract §4.4)', () => {
  test('lxd/2 leaves a peer relation of three', () => {
    const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 3 }]);
    drain(state);
    beginUnitRemoval(state, 'nova-compute/2');
    const ran = drain(state);
    expect(ran.filter((h) => h.startsWith('nova-compute/0 '))).toEqual([
      'nova-compute/0 compute-peer-relation-departed remote=nova-compute/2 departing=nova-compute/2',
    ]);
    expect(ran.filter((h) => h.startsWith('nova-compute/1 '))).toEqual([
      'nova-compute/1 compute-peer-relation-departed remote=nova-compute/2 departing=nova-compute/2',
    ]);
    expect(ran.filter((h) => h.startsWith('nova-compute/2 '))).toEqual([
      'nova-compute/2 compute-peer-relation-departed remote=nova-compute/0 departing=nova-compute/2',
      'nova-compute/2 compute-peer-relation-departed remote=nova-compute/1 departing=nova-compute/2',
      'nova-compute/2 stop',
      'nova-compute/2 remove',
    ]);
    const peer = Object.values(state.relations)[0];
    // the departed unit's bag stays readable for the relation's lifetime
    expect(peer?.unitBags['nova-compute/2']).toBeDefined();
    expect(peer?.joined['nova-compute/0']).toEqual(['nova-compute/1']);
  });
});

describe('leadership (contract §4.9)', () => {
  test('leader removed: the new leader gets leader-elected, the others leader-settings-changed', () => {
    const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 3 }]);
    drain(state);
    removeUnit(state, 'nova-compute/0');
    const ran = drain(state);
    expect(state.applications['nova-compute']?.leader).toBe('nova-compute/1');
    expect(ran).toContain('nova-compute/1 leader-elected');
    expect(ran).toContain('nova-compute/2 leader-settings-changed');
    expect(ran.filter((h) => h.startsWith('nova-compute/0 ') && h.includes('leader'))).toEqual([]);
  });

  test('setLeader moves leadership; the old leader only sees leader-settings-changed', () => {
    const state = modelWith([{ name: 'nova-compute', charm: principalCharm, units: 2 }]);
    drain(state);
    setLeader(state, 'nova-compute/1');
    expect(drain(state).sort()).toEqual(['nova-compute/0 leader-settings-changed', 'nova-compute/1 leader-elected']);
    expect(() => setLeader(state, 'nova-compute/9')).toThrow(/not found/);
  });
});
