// Parsing the tools' --format=json output, recorded from Juju 3.6 (contract §3): Go's json.Marshal,
// `null` for nil, and nothing at all from some agents when a value is empty.
import { HookToolOutputError } from '../../src/juju/hook-tools';
import * as output from '../../src/juju/tool-output';

test('empty output and `null` both mean "nothing"', () => {
  for (const text of ['', '\n', 'null\n']) {
    expect(output.stringMap('state-get', text)).toEqual({});
    expect(output.stringList('relation-ids', text)).toEqual([]);
    expect(output.object('action-get', text)).toEqual({});
    expect(output.config('config-get', text)).toEqual({});
  }
});

test('relation bags keep string values and Go\'s \\u003c escapes decode', () => {
  const bag = output.stringMap('relation-get', '{"egress-subnets":"10.0.0.7/32","note":"a \\u003c b \\u0026 c","private-address":"10.0.0.7"}\n');
  expect(bag).toEqual({ 'egress-subnets': '10.0.0.7/32', note: 'a < b & c', 'private-address': '10.0.0.7' });
});

test('a "__proto__" key stays plain data', () => {
  const bag = output.stringMap('relation-get', '{"__proto__":"x","a":"1"}');
  expect(Object.keys(bag)).toEqual(['__proto__', 'a']);
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});

test('config keeps types and drops unset options', () => {
  expect(output.config('config-get', '{"overwrite":false,"size":10,"ratio":0.5,"storage-type":"btrfs","unset":null}\n'))
    .toEqual({ overwrite: false, size: 10, ratio: 0.5, 'storage-type': 'btrfs' });
});

test('is-leader, unit-get and relation-list --app', () => {
  expect(output.boolean('is-leader', 'true\n')).toBe(true);
  expect(output.boolean('is-leader', 'false\n')).toBe(false);
  expect(output.string('unit-get', '"10.0.0.5"\n')).toBe('10.0.0.5');
  expect(output.stringList('relation-list', '["lxd/10","lxd/2"]\n')).toEqual(['lxd/10', 'lxd/2']);
});

test('network-get: bind addresses, ingress and egress; missing lists are empty', () => {
  const text = '{"bind-addresses":[{"mac-address":"00:16:3e:aa:bb:cc","interface-name":"eth0","addresses":[{"hostname":"","value":"10.0.0.5","cidr":"10.0.0.0/24"}]}],"egress-subnets":["10.0.0.5/32"],"ingress-addresses":["10.0.0.5"]}\n';
  expect(output.networkInfo('network-get', text)).toEqual({
    bindAddresses: [{ interfaceName: 'eth0', addresses: [{ value: '10.0.0.5', cidr: '10.0.0.0/24' }] }],
    ingressAddresses: ['10.0.0.5'],
    egressSubnets: ['10.0.0.5/32'],
  });
  expect(output.networkInfo('network-get', '{"bind-addresses":[{"interface-name":"eth0"}]}')).toEqual({
    bindAddresses: [{ interfaceName: 'eth0', addresses: [] }],
    ingressAddresses: [],
    egressSubnets: [],
  });
});

test('status-get --include-data', () => {
  expect(output.workloadStatus('status-get', '{"message":"Unit is ready","status":"active","status-data":{}}\n')).toEqual({ status: 'active', message: 'Unit is ready' });
  expect(() => output.workloadStatus('status-get', '{"status":"sleepy"}')).toThrow('unknown status "sleepy"');
});

test('secret-info-get: the one entry keyed by id', () => {
  expect(output.secretInfo('secret-info-get', '{"cq8abc":{"revision":3,"label":"pw","owner":"unit","rotation":"never"}}\n'))
    .toEqual({ id: 'cq8abc', revision: 3, label: 'pw', owner: 'unit' });
  expect(output.secretInfo('secret-info-get', '{"cq8abc":{"revision":1,"owner":"application"}}')).toEqual({ id: 'cq8abc', revision: 1, owner: 'application' });
  expect(() => output.secretInfo('secret-info-get', '{}')).toThrow('expected one secret, got 0');
});

test('secret-add prints a URI', () => {
  expect(output.secretUri('secret-add', 'secret:cq8abc\n')).toBe('secret:cq8abc');
  expect(() => output.secretUri('secret-add', '')).toThrow(HookToolOutputError);
});

describe('unexpected output is a HookToolOutputError that never quotes the output', () => {
  test.each([
    ['smart format instead of JSON', () => output.stringMap('secret-get', 'password: hunter2-secret\n')],
    ['a list where a map belongs', () => output.stringMap('relation-get', '["a"]')],
    ['a non-string bag value', () => output.stringMap('secret-get', '{"password":42,"x":"hunter2-secret"}')],
    ['a map where a list belongs', () => output.stringList('relation-ids', '{"a":"hunter2-secret"}')],
    ['True instead of true', () => output.boolean('is-leader', 'True')],
    ['a nested config value', () => output.config('config-get', '{"a":{"b":"hunter2-secret"}}')],
  ])('%s', (_name, parse) => {
    expect(parse).toThrow(HookToolOutputError);
    try {
      parse();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2-secret');
    }
  });
});

test('storage-get and resource-get output', () => {
  expect(output.storageInfo('storage-get', '{"kind":"block","location":"/dev/vdb"}\n')).toEqual({ kind: 'block', location: '/dev/vdb' });
  expect(() => output.storageInfo('storage-get', '{"kind":"pool","location":"/dev/vdb"}')).toThrow('kind is string, not block or filesystem');
  expect(() => output.storageInfo('storage-get', '{"kind":"block"}')).toThrow('no location');
  expect(output.resourcePath('resource-get', '/var/lib/juju/agents/unit-lxd-0/resources/lxd-snap/lxd.snap\n')).toBe('/var/lib/juju/agents/unit-lxd-0/resources/lxd-snap/lxd.snap');
  expect(() => output.resourcePath('resource-get', 'lxd.snap\n')).toThrow('expected one absolute path');
});
