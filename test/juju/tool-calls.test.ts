// The argv of every hook tool call: --format=json where the tool has it, `--` before free text,
// and no secret value ever on argv.
import * as calls from '../../src/juju/tool-calls';

describe('tools that print data are asked for JSON', () => {
  test.each([
    ['config-get', calls.configGet(), ['--format=json']],
    ['network-get', calls.networkGet('lxd-migration'), ['--format=json', 'lxd-migration']],
    ['network-get -r', calls.networkGet('lxd', 'lxd:3'), ['--format=json', '-r', 'lxd:3', 'lxd']],
    ['relation-ids', calls.relationIds('lxd-migration'), ['--format=json', 'lxd-migration']],
    ['relation-list', calls.relationList('lxd:1'), ['--format=json', '-r', 'lxd:1']],
    ['relation-get unit', calls.relationGet('lxd:1', 'nova-compute/0', false), ['--format=json', '-r', 'lxd:1', '-', 'nova-compute/0']],
    ['relation-get app', calls.relationGet('lxd-migration:0', 'lxd', true), ['--format=json', '-r', 'lxd-migration:0', '--app', '-', 'lxd']],
    ['status-get', calls.statusGet(), ['--format=json', '--include-data']],
    ['state-get', calls.stateGet(), ['--format=json']],
    ['action-get', calls.actionGet(), ['--format=json']],
    ['secret-get by id', calls.secretGet({ id: 'secret:abc' }, {}), ['--format=json', 'secret:abc']],
    ['secret-get by label, refreshed', calls.secretGet({ label: 'pw' }, { refresh: true }), ['--format=json', '--label', 'pw', '--refresh']],
    ['secret-get peek', calls.secretGet({ id: 'secret:abc' }, { peek: true }), ['--format=json', 'secret:abc', '--peek']],
    ['secret-info-get by id', calls.secretInfoGet({ id: 'secret:abc', label: 'ignored' }), ['--format=json', 'secret:abc']],
    ['secret-info-get by label', calls.secretInfoGet({ label: 'pw' }), ['--format=json', '--label', 'pw']],
  ])('%s', (_name, call, args) => {
    expect(call.args).toEqual(args);
    expect(call.stdin).toBeUndefined();
  });
});

describe('tools that take free text put `--` before it, so text starting with "-" stays text', () => {
  test.each([
    ['juju-log', calls.jujuLog('ERROR', '-r is bad'), 'juju-log', ['--log-level', 'ERROR', '--', '-r is bad']],
    ['status-set', calls.statusSet({ status: 'blocked', message: '--oops' }, false), 'status-set', ['--', 'blocked', '--oops']],
    ['status-set --application', calls.statusSet({ status: 'active', message: 'ok' }, true), 'status-set', ['--application', '--', 'active', 'ok']],
    ['application-version-set', calls.applicationVersionSet('5.0.2'), 'application-version-set', ['--', '5.0.2']],
    ['action-fail', calls.actionFail('no pool'), 'action-fail', ['--', 'no pool']],
    ['action-log', calls.actionLog('step 1'), 'action-log', ['--', 'step 1']],
  ])('%s', (_name, call, tool, args) => {
    expect(call.tool).toBe(tool);
    expect(call.args).toEqual(args);
  });
});

describe('writes that may carry secrets keep values off argv', () => {
  const secret = 's3cret-value';

  test('relation-set sends the changes as a JSON map on stdin through --file -, "" (delete) included', () => {
    const call = calls.relationSet('lxd-migration:0', { password: secret, old: '' }, true);
    expect(call).toEqual({ tool: 'relation-set', args: ['-r', 'lxd-migration:0', '--app', '--file', '-'], stdin: JSON.stringify({ password: secret, old: '' }) });
    expect(call.args.join(' ')).not.toContain(secret);
  });

  test('state-set sends the changes on stdin through --file -', () => {
    const call = calls.stateSet({ 'trust-password': secret });
    expect(call.args).toEqual(['--file', '-']);
    expect(JSON.parse(call.stdin ?? '')).toEqual({ 'trust-password': secret });
  });

  test('secret-add and secret-set name content files (key#file=path), never values', () => {
    const add = calls.secretAdd({ password: '/tmp/d/password' }, { owner: 'unit', label: 'pw', description: 'LXD trust' });
    expect(add.args).toEqual(['--owner', 'unit', '--label', 'pw', '--description', 'LXD trust', 'password#file=/tmp/d/password']);
    expect(calls.secretSet('secret:x', { password: '/tmp/d/password' }).args).toEqual(['secret:x', 'password#file=/tmp/d/password']);
    expect(add.stdin).toBeUndefined();
  });
});

test('a secret reference needs an id or a label', () => {
  expect(() => calls.secretGet({}, {})).toThrow('a secret needs an id or a label');
});

test('action results: nested maps become dotted keys, non-strings JSON text', () => {
  expect(calls.actionSet({ a: 'x', nested: { b: 1, c: { d: true } }, list: ['p', 'q'] }).args).toEqual(['a=x', 'nested.b=1', 'nested.c.d=true', 'list=["p","q"]']);
});

test('secret content is checked before any file is written', () => {
  expect(() => calls.checkSecretContent({})).toThrow('secret content is empty');
  expect(() => calls.checkSecretContent({ pw: 'x' })).toThrow('secret content key "pw" is not valid');
  expect(() => calls.checkSecretContent({ '../etc': 'x' })).toThrow('is not valid');
  expect(() => calls.checkSecretContent({ password: 'x', 'ca-cert': 'y' })).not.toThrow();
});
