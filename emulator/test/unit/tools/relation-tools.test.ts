import { buildModel, contextFor, err, INSTALL, ok, relationHook } from './builders';

const PEER_CHANGED = relationHook('lxd-migration-relation-changed', 0, 'lxd/1', 'lxd');
const NOVA_CHANGED = relationHook('lxd-relation-changed', 3, 'nova-compute/0', 'nova-compute');

describe('relation-ids', () => {
  it('lists entered relations of an endpoint; defaults to the hook relation; needs one outside', () => {
    const state = buildModel();
    expect(ok(contextFor(state, 'lxd/0').run('relation-ids', 'lxd-migration'))).toBe('lxd-migration:0\n');
    expect(ok(contextFor(state, 'lxd/0', NOVA_CHANGED).run('relation-ids', '--format=json'))).toBe('["lxd:3"]\n');
    expect(err(contextFor(state, 'lxd/0').run('relation-ids'))).toEqual([2, 'ERROR no endpoint name specified\n']);
    expect(ok(contextFor(state, 'lxd/0').run('relation-ids', 'nothing', '--format=json'))).toBe('[]\n');
  });

  it('hides a relation until -created has run, except inside that -created hook', () => {
    const state = buildModel();
    state.relations['0']!.created = ['lxd/1'];
    expect(ok(contextFor(state, 'lxd/0', INSTALL).run('relation-ids', 'lxd-migration'))).toBe('');
    const created = relationHook('lxd-migration-relation-created', 0, '', 'lxd');
    expect(ok(contextFor(state, 'lxd/0', created).run('relation-ids', 'lxd-migration'))).toBe('lxd-migration:0\n');
  });
});

describe('relation-list', () => {
  it('lists joined remote units in string order, and --app the remote app', () => {
    const state = buildModel();
    state.relations['0']!.joined['lxd/0'] = ['lxd/2', 'lxd/10', 'lxd/1'];
    const { run } = contextFor(state, 'lxd/0', PEER_CHANGED);
    expect(ok(run('relation-list'))).toBe('lxd/1\nlxd/10\nlxd/2\n');
    expect(ok(run('relation-list', '-r', 'lxd:3', '--format=json'))).toBe('["nova-compute/0"]\n');
    expect(ok(run('relation-list', '-r', '3', '--app'))).toBe('nova-compute\n');
    expect(ok(run('relation-list', '--app'))).toBe('lxd\n');
  });

  it('validates -r: non-integer, unknown id, wrong endpoint, none given outside relation hooks', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(err(run('relation-list', '-r', 'x'))).toEqual([2, 'ERROR invalid value "x" for option -r: invalid relation id\n']);
    expect(err(run('relation-list', '--relation', '39'))).toEqual([2, 'ERROR invalid value "39" for option --relation: relation not found\n']);
    expect(err(run('relation-list', '-r', 'lxd-migration:3'))).toEqual([2, 'ERROR invalid value "lxd-migration:3" for option -r: relation not found\n']);
    expect(err(run('relation-list'))).toEqual([2, 'ERROR no relation id specified\n']);
  });
});

describe('relation-get', () => {
  it('reads the remote unit bag by default, a key, or a named unit; json values are strings', () => {
    const { run } = contextFor(buildModel(), 'lxd/0', NOVA_CHANGED);
    expect(ok(run('relation-get', 'user'))).toBe('nova\n');
    expect(ok(run('relation-get', 'missing'))).toBe('');
    expect(ok(run('relation-get', 'missing', '--format=json'))).toBe('null\n');
    expect(ok(run('relation-get', '--format=json', '-', 'nova-compute/0'))).toBe(
      '{"egress-subnets":"10.0.0.10/32","ingress-address":"10.0.0.10","private-address":"10.0.0.10","user":"nova"}\n',
    );
    expect(ok(run('relation-get', '-r', '0', 'host', 'lxd/1'))).toBe('one\n');
  });

  it('reads app bags with --app, implicitly when there is no remote unit', () => {
    const state = buildModel();
    expect(ok(contextFor(state, 'lxd/0', NOVA_CHANGED).run('relation-get', '--app', 'region'))).toBe('one\n');
    const created = relationHook('lxd-relation-created', 3, '', 'nova-compute');
    expect(ok(contextFor(state, 'lxd/0', created).run('relation-get', 'region'))).toBe('one\n');
    expect(ok(contextFor(state, 'lxd/0', NOVA_CHANGED).run('relation-get', '--app', 'region', 'nova-compute/0'))).toBe('one\n');
  });

  it('rejects bad targets with exit 2', () => {
    const { run } = contextFor(buildModel(), 'lxd/0', NOVA_CHANGED);
    expect(err(run('relation-get', '-', 'nova-compute'))).toEqual([2, 'ERROR expected unit name, got application name "nova-compute"\n']);
    expect(err(run('relation-get', '-', 'Bad/x'))).toEqual([2, 'ERROR invalid unit name "Bad/x"\n']);
    expect(err(contextFor(buildModel(), 'lxd/0').run('relation-get', '-r', '3'))).toEqual([2, 'ERROR no unit or application specified\n']);
  });

  it('lets a non-leader read its own app bag only in a peer relation', () => {
    const state = buildModel();
    const { run } = contextFor(state, 'lxd/1', PEER_CHANGED);
    expect(ok(run('relation-get', '--app', 'token', 'lxd'))).toBe('abc\n');
    expect(err(run('relation-get', '-r', '3', '--app', '-', 'lxd'))).toEqual([1, 'ERROR permission denied\n']);
    expect(ok(contextFor(state, 'lxd/0', NOVA_CHANGED).run('relation-get', '--app', 'secret', 'lxd'))).toBe('leader-only\n');
  });

  it('snapshots a remote bag at first read; own bag reads include pending writes', () => {
    const state = buildModel();
    const { run } = contextFor(state, 'lxd/0', NOVA_CHANGED);
    expect(ok(run('relation-get', 'user'))).toBe('nova\n');
    state.relations['3']!.unitBags['nova-compute/0']!.user = 'changed-meanwhile';
    expect(ok(run('relation-get', 'user'))).toBe('nova\n');
    ok(run('relation-set', 'mine=1'));
    expect(ok(run('relation-get', 'mine', 'lxd/0'))).toBe('1\n');
    expect(state.relations['3']!.unitBags['lxd/0']!.mine).toBeUndefined();
  });
});

describe('relation-set', () => {
  it('parses key=value (first "=", trimmed), rejects bad pairs and repeats with exit 2', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/0', NOVA_CHANGED);
    ok(run('relation-set', ' a = x=y ', 'b='));
    expect(err(run('relation-set', 'novalue'))).toEqual([2, 'ERROR expected "key=value", got "novalue"\n']);
    expect(err(run('relation-set', '=v'))).toEqual([2, 'ERROR expected "key=value", got "=v"\n']);
    expect(err(run('relation-set', 'k=1', 'k=2'))).toEqual([2, 'ERROR key "k" specified more than once\n']);
    ctx.commit();
    expect(state.relations['3']!.unitBags['lxd/0']!.a).toBe('x=y');
  });

  it('reads --file - from stdin (YAML map); command-line pairs override; key= deletes', () => {
    const state = buildModel();
    state.relations['3']!.unitBags['lxd/0']!.old = 'gone-soon';
    const { ctx, runWith } = contextFor(state, 'lxd/0', NOVA_CHANGED);
    ok(runWith({ stdin: 'nonce: 123\nuser: a\nold: null\n' }, 'relation-set', '--file', '-', 'user=b'));
    expect(ctx.commit().changedBags).toEqual([{ relationId: 3, owner: 'lxd/0', isApp: false }]);
    expect(state.relations['3']!.unitBags['lxd/0']).toMatchObject({ nonce: '123', user: 'b' });
    expect(state.relations['3']!.unitBags['lxd/0']!.old).toBeUndefined();
  });

  it('reports a missing --file as a run error', () => {
    const { runWith } = contextFor(buildModel(), 'lxd/0', NOVA_CHANGED);
    expect(err(runWith({}, 'relation-set', '--file', '/nope.yaml'))).toEqual([1, 'ERROR open /nope.yaml: no such file or directory\n']);
  });

  it('writes the app bag only as leader', () => {
    const state = buildModel();
    expect(err(contextFor(state, 'lxd/1', PEER_CHANGED).run('relation-set', '--app', 'k=v'))).toEqual([1, 'ERROR cannot write relation settings\n']);
    const leader = contextFor(state, 'lxd/0', PEER_CHANGED);
    ok(leader.run('relation-set', '--app=true', 'k=v'));
    expect(ok(leader.run('relation-get', '--app', 'k', 'lxd'))).toBe('v\n');
    expect(leader.ctx.commit().changedBags).toEqual([{ relationId: 0, owner: 'lxd', isApp: true }]);
    expect(state.relations['0']!.appBags.lxd).toEqual({ token: 'abc', k: 'v' });
    expect(state.relations['0']!.bagVersions['app:lxd']).toBe(1);
  });

  it('commit bumps a bag version only on real change; discard drops writes', () => {
    const state = buildModel();
    const relation = state.relations['0']!;
    const first = contextFor(state, 'lxd/0', PEER_CHANGED);
    ok(first.run('relation-set', 'private-address=10.0.0.10'));
    expect(first.ctx.commit()).toEqual({ changedBags: [], leaderSettingsChanged: false, secretEvents: [] });
    expect(relation.bagVersions['lxd/0']).toBe(1);

    const second = contextFor(state, 'lxd/0', PEER_CHANGED);
    ok(second.run('relation-set', 'a=1'));
    ok(second.run('relation-set', 'a=2', 'b=3'));
    expect(second.ctx.commit().changedBags).toEqual([{ relationId: 0, owner: 'lxd/0', isApp: false }]);
    expect(relation.bagVersions['lxd/0']).toBe(2);
    expect(relation.unitBags['lxd/0']).toMatchObject({ a: '2', b: '3' });

    const third = contextFor(state, 'lxd/0', PEER_CHANGED);
    ok(third.run('relation-set', 'a=99'));
    third.ctx.discard();
    expect(relation.unitBags['lxd/0']!.a).toBe('2');
    expect(relation.bagVersions['lxd/0']).toBe(2);
  });
});
