// FakeJuju enforces Juju's rules like the real tools (same messages and exit codes), and commits a hook's
// transactional writes only when the hook succeeded.
import { HookToolError } from '../../src/juju/hook-tools';
import { aUnit } from '../builders/juju-state';
import { FakeJuju } from './fake-juju';
import { automaticKeys } from './juju-state';

const novaRelation = { remoteApp: 'nova-compute', units: { 'nova-compute/0': { user: 'nova' } }, appData: { region: 'r1' } };

async function toolError(promise: Promise<unknown>): Promise<{ tool: string; exitCode: number; stderr: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HookToolError) return { tool: error.tool, exitCode: error.exitCode, stderr: error.stderr };
    throw error;
  }
  throw new Error('expected a HookToolError');
}

describe('relation data access', () => {
  test('a unit writes its own bag; reads of it include this hook\'s pending writes', async () => {
    const juju = new FakeJuju(aUnit().withRelation('lxd', novaRelation));
    await juju.relationSet('lxd:0', { nonce: 'n1', 'private-address': '' });
    expect(await juju.relationGet('lxd:0', 'lxd/0')).toEqual({ 'egress-subnets': '10.0.0.5/32', 'ingress-address': '10.0.0.5', nonce: 'n1' });
  });

  test('remote unit and remote app bags are readable', async () => {
    const juju = new FakeJuju(aUnit().withRelation('lxd', novaRelation));
    expect(await juju.relationGet('lxd:0', 'nova-compute/0')).toEqual({ user: 'nova' });
    expect(await juju.relationGet('lxd:0', 'nova-compute', { app: true })).toEqual({ region: 'r1' });
    expect(await juju.relationList('lxd:0')).toEqual(['nova-compute/0']);
  });

  test('only the leader writes the app bag', async () => {
    const follower = new FakeJuju(aUnit().withPeer('lxd/1'));
    expect(await toolError(follower.relationSet('lxd-migration:0', { a: 'b' }, { app: true }))).toEqual({ tool: 'relation-set', exitCode: 1, stderr: 'ERROR cannot write relation settings\n' });
    const leader = new FakeJuju(aUnit().leader().withPeer('lxd/1'));
    await leader.relationSet('lxd-migration:0', { a: 'b' }, { app: true });
    leader.commit();
    expect(leader.state.relations[0]?.localApp).toEqual({ a: 'b' });
  });

  test('a non-leader cannot read its own app bag in a non-peer relation, but can in a peer relation', async () => {
    const follower = new FakeJuju(aUnit().withRelation('lxd', { ...novaRelation, localApp: { x: '1' } }).withPeerRelation({ y: '2' }));
    expect(await toolError(follower.relationGet('lxd:0', 'lxd', { app: true }))).toMatchObject({ exitCode: 1, stderr: 'ERROR permission denied\n' });
    expect(await follower.relationGet('lxd-migration:1', 'lxd', { app: true })).toEqual({ y: '2' });
    const leader = new FakeJuju(aUnit().leader().withRelation('lxd', { ...novaRelation, localApp: { x: '1' } }));
    expect(await leader.relationGet('lxd:0', 'lxd', { app: true })).toEqual({ x: '1' });
  });

  test('an app name without app: true, an unknown unit and an unknown relation are errors', async () => {
    const juju = new FakeJuju(aUnit().withRelation('lxd', novaRelation));
    expect(await toolError(juju.relationGet('lxd:0', 'nova-compute'))).toMatchObject({ exitCode: 2, stderr: 'ERROR expected unit name, got application name "nova-compute"\n' });
    expect(await toolError(juju.relationGet('lxd:0', 'nova-compute/9'))).toMatchObject({ exitCode: 1 });
    expect(await toolError(juju.relationGet('lxd:7', 'nova-compute/0'))).toMatchObject({ exitCode: 2, stderr: 'ERROR invalid value "lxd:7" for option -r: relation not found\n' });
  });

  test('values must be strings', async () => {
    const juju = new FakeJuju(aUnit().withRelation('lxd', novaRelation));
    const notAString = { count: 3 } as unknown as Record<string, string>;
    expect(await toolError(juju.relationSet('lxd:0', notAString))).toMatchObject({ exitCode: 2 });
  });

  test('peers are the other units, never this one', async () => {
    const juju = new FakeJuju(aUnit().withPeer('lxd/2', automaticKeys('10.0.0.8')).withPeer('lxd/10'));
    expect(await juju.relationIds('lxd-migration')).toEqual(['lxd-migration:0']);
    expect(await juju.relationList('lxd-migration:0')).toEqual(['lxd/10', 'lxd/2']);
  });
});

describe('commit on success', () => {
  test('relation data, charm state and secrets wait for commit; rollback drops them', async () => {
    const juju = new FakeJuju(aUnit().withRelation('lxd', novaRelation).withState({ a: '1' }));
    await juju.relationSet('lxd:0', { nonce: 'n1' });
    await juju.stateSet({ a: '', b: '2' }); // "" is a value for state-set (juju SetCharmStateValue), not a deletion
    await juju.stateDelete('a');
    await juju.stateSet({ e: '' });
    await juju.secretAdd({ password: 'pw-value' }, { owner: 'unit' });
    expect(juju.state.charmState).toEqual({ a: '1' });
    expect(await juju.stateGet()).toEqual({ b: '2', e: '' }); // the hook sees its own writes
    juju.rollback();
    expect(juju.state.secrets).toEqual([]);
    expect(await juju.stateGet()).toEqual({ a: '1' });
    await juju.stateSet({ c: '3' });
    juju.commit();
    expect(juju.state.charmState).toEqual({ a: '1', c: '3' });
  });

  test('status, logs and workload version take effect at once and survive a failed hook', async () => {
    const juju = new FakeJuju(aUnit().leader());
    await juju.statusSet({ status: 'maintenance', message: 'installing' });
    await juju.log('INFO', 'hello');
    await juju.applicationVersionSet('5.0.2');
    juju.rollback();
    expect(juju.state).toMatchObject({ unitStatus: { status: 'maintenance', message: 'installing' }, workloadVersion: '5.0.2' });
    expect(juju.logs).toEqual(['INFO hello']);
  });

  test('writes lists every write, without values', async () => {
    const juju = new FakeJuju(aUnit().withRelation('lxd', novaRelation));
    await juju.relationSet('lxd:0', { password: 'hunter2-secret' });
    await juju.stateSet({ token: 'hunter2-secret' });
    expect(juju.writes).toEqual(['relation-set lxd:0 password', 'state-set token']);
  });
});

describe('leadership and status', () => {
  test('a non-leader cannot set the application status', async () => {
    const juju = new FakeJuju(aUnit());
    expect(await toolError(juju.statusSet({ status: 'active', message: '' }, { application: true }))).toMatchObject({ exitCode: 1 });
  });

  test('only maintenance, blocked, waiting and active can be set', async () => {
    const juju = new FakeJuju(aUnit());
    expect(await toolError(juju.statusSet({ status: 'error', message: 'x' }))).toMatchObject({ exitCode: 2, stderr: 'ERROR invalid status "error", expected one of [maintenance blocked waiting active]\n' });
  });
});

describe('secrets', () => {
  test('an application-owned secret needs the leader; a unit-owned one does not', async () => {
    const juju = new FakeJuju(aUnit());
    expect(await toolError(juju.secretAdd({ password: 'x' }))).toMatchObject({ exitCode: 1, stderr: 'ERROR this unit is not the leader\n' });
    const id = await juju.secretAdd({ password: 'x' }, { owner: 'unit', label: 'pw' });
    juju.commit();
    expect(await juju.secretGet({ id })).toEqual({ password: 'x' });
    expect(await juju.secretGet({ label: 'pw' })).toEqual({ password: 'x' });
    expect(await juju.secretInfoGet({ label: 'pw' })).toEqual({ id, label: 'pw', revision: 1, owner: 'unit' });
  });

  test('content keys follow Juju\'s rule and values may not be empty', async () => {
    const juju = new FakeJuju(aUnit());
    expect(await toolError(juju.secretAdd({ pw: 'x' }, { owner: 'unit' }))).toMatchObject({ exitCode: 2, stderr: 'ERROR key "pw" not valid\n' });
    expect(await toolError(juju.secretAdd({ password: '' }, { owner: 'unit' }))).toMatchObject({ exitCode: 1, stderr: 'ERROR empty secret value not valid\n' });
  });

  test('another app\'s secret is readable only when granted; its owner\'s operations are refused', async () => {
    const juju = new FakeJuju(aUnit()
      .withSecret({ id: 'secret:granted', owner: 'remote', revisions: [{ token: 'abc' }], grants: [], granted: true })
      .withSecret({ id: 'secret:other', owner: 'remote', revisions: [{ token: 'def' }], grants: [], granted: false }));
    expect(await juju.secretGet({ id: 'secret:granted' })).toEqual({ token: 'abc' });
    expect(await toolError(juju.secretGet({ id: 'secret:other' }))).toMatchObject({ exitCode: 1, stderr: 'ERROR permission denied\n' });
    expect(await toolError(juju.secretSet('secret:granted', { token: 'zzz' }))).toMatchObject({ exitCode: 1 });
    expect(await toolError(juju.secretGet({ id: 'secret:missing' }))).toMatchObject({ exitCode: 1, stderr: 'ERROR secret "secret:missing" not found\n' });
  });

  test('a new revision is readable after commit', async () => {
    const juju = new FakeJuju(aUnit()
      .withSecret({ id: 'secret:mine', owner: 'unit', revisions: [{ password: 'old' }], grants: [] }));
    await juju.secretSet('secret:mine', { password: 'new' });
    expect(await juju.secretGet({ id: 'secret:mine' })).toEqual({ password: 'old' });
    juju.commit();
    expect(await juju.secretGet({ id: 'secret:mine' })).toEqual({ password: 'new' });
  });
});

describe('actions and the network', () => {
  test('action tools work only inside an action; results are flattened and reserved keys refused', async () => {
    const hook = new FakeJuju(aUnit());
    expect(await toolError(hook.actionGet())).toMatchObject({ exitCode: 1, stderr: 'ERROR not running an action\n' });
    const juju = new FakeJuju(aUnit().runningAction('show-config', { verbose: true }));
    expect(await juju.actionGet()).toEqual({ verbose: true });
    await juju.actionSet({ summary: { pools: 1 } });
    await juju.actionLog('working');
    expect(await toolError(juju.actionSet({ stdout: 'x' }))).toMatchObject({ exitCode: 2 });
    expect(await toolError(juju.actionSet({ Bad: 'x' }))).toMatchObject({ exitCode: 2 });
    juju.rollback(); // action output is immediate
    expect(juju.state.action).toEqual({ name: 'show-config', params: { verbose: true }, results: { 'summary.pools': '1' }, failed: null, logs: ['working'] });
  });

  test('network-get answers for declared bindings and fails like Juju for others', async () => {
    const juju = new FakeJuju(aUnit().withAddress('192.168.1.9').withoutNetwork('lxd'));
    expect((await juju.networkGet('lxd-migration')).ingressAddresses).toEqual(['192.168.1.9']);
    expect(await toolError(juju.networkGet('lxd'))).toMatchObject({ exitCode: 1, stderr: 'ERROR no network config found for binding "lxd"\n' });
  });
});

describe('the builder refuses impossible states, listing every problem', () => {
  test('unknown config options, wrong types, undeclared endpoints, foreign peers', () => {
    expect(() => aUnit().withConfig({ 'no-such-option': 'x', 'storage-type': 3 }).withRelation('nova', { remoteApp: 'x' }).withPeer('nova/1').build())
      .toThrow(/no-such-option[\s\S]*storage-type[\s\S]*endpoint "nova" is not declared[\s\S]*peer nova\/1 is not a unit of lxd/);
  });

  test('config starts from config.yaml\'s defaults', () => {
    const state = aUnit().withConfig({ 'storage-type': 'lvm' }).build();
    expect(state.config['storage-type']).toBe('lvm');
    expect(Object.keys(state.config).length).toBeGreaterThan(1);
  });
});
