import { buildModel, contextFor, err, NOW, ok, relationHook } from './builders';

describe('status-set / status-get', () => {
  it('sets the unit status at once (kept after discard) and marks it ever set', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/1');
    ok(run('status-set', 'blocked', 'need storage'));
    ctx.discard();
    expect(state.units['lxd/1']!.workloadStatus).toEqual({ status: 'blocked', message: 'need storage', since: NOW.toISOString() });
    expect(state.units['lxd/1']!.statusEverSet).toBe(true);
    expect(ok(run('status-get'))).toBe('blocked\n');
    expect(ok(run('status-get', '--format=json'))).toBe('{"status":"blocked"}\n');
    expect(ok(run('status-get', '--format=json', '--include-data'))).toBe('{"message":"need storage","status":"blocked","status-data":{}}\n');
    expect(ok(run('status-get', '--include-data'))).toBe('message: need storage\nstatus: blocked\nstatus-data: {}\n');
  });

  it('rejects bad status words and argument counts with exit 2', () => {
    const { run } = contextFor(buildModel(), 'lxd/1');
    expect(err(run('status-set', 'error'))).toEqual([2, 'ERROR invalid status "error", expected one of [maintenance blocked waiting active]\n']);
    expect(err(run('status-set'))).toEqual([2, 'ERROR invalid args, require <status> [message]\n']);
    expect(err(run('status-set', 'active', 'a', 'b'))).toEqual([2, 'ERROR unrecognized args: ["b"]\n']);
  });

  it('application status needs leadership', () => {
    const state = buildModel();
    expect(err(contextFor(state, 'lxd/1').run('status-set', '--application', 'active'))).toEqual([1, 'ERROR this unit is not the leader\n']);
    expect(err(contextFor(state, 'lxd/1').run('status-get', '--application'))).toEqual([1, 'ERROR finding application status: this unit is not the leader\n']);
    const leader = contextFor(state, 'lxd/0');
    ok(leader.run('status-set', '--application', 'active', 'ready'));
    expect(state.applications.lxd!.status).toMatchObject({ status: 'active', message: 'ready' });
    expect(ok(leader.run('status-get', '--application'))).toBe('active\n');
    const out = JSON.parse(ok(leader.run('status-get', '--application', '--include-data', '--format=json')));
    expect(out).toEqual({
      'application-status': {
        status: 'active',
        message: 'ready',
        'status-data': {},
        units: { 'lxd/0': { status: 'unknown', message: '', 'status-data': {} }, 'lxd/1': { status: 'unknown', message: '', 'status-data': {} } },
      },
    });
  });
});

describe('juju-log, application-version-set', () => {
  it('logs at the requested level, prefixed with the relation inside relation hooks', () => {
    const { run, logs } = contextFor(buildModel(), 'lxd/0', relationHook('lxd-migration-relation-joined', 0, 'lxd/1', 'lxd'));
    ok(run('juju-log', 'hello', 'world'));
    ok(run('juju-log', '-l', 'warn', 'careful'));
    ok(run('juju-log', '--debug', 'detail'));
    ok(run('juju-log', '--log-level=bogus', 'still'));
    ok(run('juju-log', '--debug', '-l', 'ERROR', 'debug wins'));
    expect(logs.map((l) => [l.level, l.logger, l.message])).toEqual([
      ['INFO', 'unit.lxd/0.juju-log', 'lxd-migration:0: hello world'],
      ['WARNING', 'unit.lxd/0.juju-log', 'lxd-migration:0: careful'],
      ['DEBUG', 'unit.lxd/0.juju-log', 'lxd-migration:0: detail'],
      ['WARNING', 'unit.lxd/0.juju-log', 'Specified log level of "bogus" is not valid'],
      ['INFO', 'unit.lxd/0.juju-log', 'lxd-migration:0: still'],
      ['DEBUG', 'unit.lxd/0.juju-log', 'lxd-migration:0: debug wins'],
    ]);
    expect(err(run('juju-log'))).toEqual([2, 'ERROR no message specified\n']);
  });

  it('sets the workload version at once', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/0');
    ok(run('application-version-set', '5.0.2'));
    ctx.discard();
    expect(state.units['lxd/0']!.workloadVersion).toBe('5.0.2');
    expect(err(run('application-version-set'))).toEqual([2, 'ERROR no version specified\n']);
  });
});

describe('leader-get / leader-set', () => {
  it('writes at once as leader and reports the change at commit even after an unchanged write', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/0');
    ok(run('leader-set', 'a=1', 'b=2'));
    expect(state.applications.lxd!.leaderSettings).toEqual({ a: '1', b: '2' });
    ok(run('leader-set', 'b='));
    expect(ok(run('leader-get', '--format=json'))).toBe('{"a":"1"}\n');
    expect(ok(run('leader-get', 'a'))).toBe('1\n');
    expect(ok(run('leader-get', 'zzz'))).toBe('');
    expect(ctx.commit().leaderSettingsChanged).toBe(true);

    const again = contextFor(state, 'lxd/0');
    ok(again.run('leader-set', 'a=1'));
    expect(again.ctx.commit().leaderSettingsChanged).toBe(false);
  });

  it('refuses writes from a non-leader and keys containing "="', () => {
    const { run } = contextFor(buildModel(), 'lxd/1');
    expect(err(run('leader-set', 'a=1'))).toEqual([1, 'ERROR cannot write leadership settings: cannot write settings: not the leader\n']);
    expect(err(run('leader-get', 'a=b'))).toEqual([2, 'ERROR invalid key "a=b"\n']);
    expect(ok(run('leader-get'))).toBe('{}\n');
  });
});
