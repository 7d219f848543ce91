import type { ModelState } from '../../../src/model/types';
import { buildModel, contextFor, err, ok } from './builders';

describe('state-get / state-set / state-delete', () => {
  it('reads pending writes within the hook and applies them only on commit', () => {
    const state = buildModel();
    state.units['lxd/0']!.state = { kept: 'x', doomed: 'y' };
    const { ctx, run, runWith } = contextFor(state, 'lxd/0');
    ok(run('state-set', 'a=1'));
    ok(runWith({ stdin: 'b: two\n' }, 'state-set', '--file=-'));
    ok(run('state-delete', 'doomed'));
    expect(ok(run('state-get', '--format=json'))).toBe('{"a":"1","b":"two","kept":"x"}\n');
    expect(state.units['lxd/0']!.state).toEqual({ kept: 'x', doomed: 'y' });
    ctx.commit();
    expect(state.units['lxd/0']!.state).toEqual({ kept: 'x', a: '1', b: 'two' });
  });

  // juju state-set.go hands each value to SetCharmStateValue unchanged: "key=" stores "", it deletes nothing
  it('state-set key= keeps an empty string; only state-delete removes the key', () => {
    const state = buildModel();
    state.units['lxd/0']!.state = { kept: 'x', emptied: 'y', doomed: 'z' };
    const { ctx, run, runWith } = contextFor(state, 'lxd/0');
    ok(run('state-set', 'emptied=', 'fresh='));
    ok(runWith({ stdin: 'fromfile: ""\n' }, 'state-set', '--file=-'));
    ok(run('state-delete', 'doomed'));
    expect(ok(run('state-get', '--format=json'))).toBe('{"emptied":"","fresh":"","fromfile":"","kept":"x"}\n');
    expect(ok(run('state-get', 'emptied', '--strict', '--format=json'))).toBe('""\n');
    expect(err(run('state-get', 'doomed', '--strict'))).toEqual([1, 'ERROR "doomed" not found\n']);
    ctx.commit();
    expect(state.units['lxd/0']!.state).toEqual({ kept: 'x', emptied: '', fresh: '', fromfile: '' });
    const next = contextFor(state, 'lxd/0');
    expect(ok(next.run('state-get', 'fresh', '--strict'))).toBe(''); // present, so no error; smart format prints nothing for ""
  });

  it('discard drops state writes', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/0');
    ok(run('state-set', 'a=1'));
    ctx.discard();
    expect(state.units['lxd/0']!.state).toEqual({});
  });

  it('missing keys print nothing (json ""), or fail with --strict', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(ok(run('state-get', 'nope'))).toBe('');
    expect(ok(run('state-get', 'nope', '--format=json'))).toBe('""\n');
    expect(err(run('state-get', 'nope', '--strict'))).toEqual([1, 'ERROR "nope" not found\n']);
    expect(ok(run('state-delete'))).toBe('');
  });
});

describe('open-port / close-port / opened-ports', () => {
  it('changes ports on commit; opened-ports shows committed ranges', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/0');
    ok(run('open-port', '8443'));
    ok(run('open-port', '1000-2000/udp'));
    ok(run('open-port', 'icmp'));
    expect(ok(run('opened-ports'))).toBe('');
    ctx.commit();
    const next = contextFor(state, 'lxd/0');
    expect(ok(next.run('opened-ports'))).toBe('icmp\n8443/tcp\n1000-2000/udp\n');
    expect(ok(next.run('opened-ports', '--endpoints', '--format=json'))).toBe('["icmp (*)","8443/tcp (*)","1000-2000/udp (*)"]\n');
    ok(next.run('close-port', '8443/tcp'));
    next.ctx.commit();
    expect(state.units['lxd/0']!.ports.map((p) => p.protocol)).toEqual(['udp', 'icmp']);
  });

  it('rejects bad port specs with exit 2 and Juju\'s messages', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(err(run('open-port', '70000'))).toEqual([2, 'ERROR port range bounds must be between 0 and 65535, got 70000-70000\n']);
    expect(err(run('open-port', '20-10/tcp'))).toEqual([2, 'ERROR invalid port range 20-10/tcp\n']);
    expect(err(run('open-port', 'http'))).toEqual([2, 'ERROR invalid port "http": strconv.Atoi: parsing "http": invalid syntax\n']);
    expect(err(run('open-port', '80/sctp'))).toEqual([2, 'ERROR invalid protocol "sctp", expected "tcp", "udp", or "icmp"\n']);
    expect(err(run('open-port', '80/icmp'))).toEqual([2, 'ERROR protocol "icmp" doesn\'t support any ports; got "80"\n']);
    expect(err(run('close-port'))).toEqual([2, 'ERROR no port or range specified\n']);
  });

  it('accepts the deprecated --format with a notice on stderr', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(run('open-port', '80/TCP', '--format=json')).toEqual({ code: 0, stdout: '', stderr: '--format flag deprecated for command "open-port"' });
  });
});

function withAction(state: ModelState): ModelState {
  state.actions['7'] = {
    id: 7,
    unit: 'lxd/0',
    name: 'add-trust',
    params: { name: 'x', nested: { depth: 2 } },
    status: 'running',
    message: '',
    results: {},
    log: [],
    enqueuedAt: '',
    completedAt: null,
  };
  return state;
}

describe('action tools', () => {
  it('fail outside an action with `not running an action` (1)', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    for (const tool of ['action-get', 'action-fail']) expect(err(run(tool))).toEqual([1, 'ERROR not running an action\n']);
    expect(err(run('action-set', 'a=1'))).toEqual([1, 'ERROR not running an action\n']);
    expect(err(run('action-log', 'hi'))).toEqual([1, 'ERROR not running an action\n']);
  });

  it('action-get prints params or a nested key', () => {
    const { run } = contextFor(withAction(buildModel()), 'lxd/0', { kind: 'action', actionId: 7 });
    expect(ok(run('action-get', '--format=json'))).toBe('{"name":"x","nested":{"depth":2}}\n');
    expect(ok(run('action-get', 'nested.depth'))).toBe('2\n');
    expect(ok(run('action-get', 'missing'))).toBe('');
  });

  it('action-set nests dotted keys, later writes replace; validates keys', () => {
    const { ctx, run } = contextFor(withAction(buildModel()), 'lxd/0', { kind: 'action', actionId: 7 });
    ok(run('action-set', 'a.b=1', 'a.c=2'));
    ok(run('action-set', 'x=1'));
    ok(run('action-set', 'x.y=deep'));
    expect(err(run('action-set', 'result-Value=1'))).toEqual([
      2,
      'ERROR key "result-Value" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods\n',
    ]);
    expect(err(run('action-set', 'stdout=1'))).toEqual([2, 'ERROR cannot set reserved action key "stdout"\n']);
    expect(err(run('action-set', 'noequals'))).toEqual([2, 'ERROR argument "noequals" must be of the form key...=value\n']);
    expect(ctx.getActionOutcome(0)).toEqual({ status: 'completed', message: '', results: { a: { b: '1', c: '2' }, x: { y: 'deep' } } });
  });

  it('action-fail gives failed with its message; a non-zero exit gives `exit status N`; action-log is immediate', () => {
    const state = withAction(buildModel());
    const { ctx, run } = contextFor(state, 'lxd/0', { kind: 'action', actionId: 7 });
    ok(run('action-log', 'step', 'one'));
    expect(state.actions['7']!.log.map((l) => l.message)).toEqual(['step one']);
    ok(run('action-fail'));
    expect(ctx.getActionOutcome(0)).toMatchObject({ status: 'failed', message: 'action failed without reason given, check action for errors' });
    ok(run('action-fail', 'bad input'));
    expect(ctx.getActionOutcome(0)).toMatchObject({ status: 'failed', message: 'bad input' });
    expect(ctx.getActionOutcome(3)).toMatchObject({ status: 'failed', message: 'exit status 3' });
  });
});
