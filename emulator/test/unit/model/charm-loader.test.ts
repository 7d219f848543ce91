import { parseActions, parseConfig, parseMetadata } from '../../../src/model/charm-loader';

describe('metadata.yaml checks, as Juju makes them', () => {
  const base = { name: 'lxd', summary: 's', description: 'd' };
  test('a subordinate needs a container-scoped requires', () => {
    expect(() => parseMetadata({ ...base, subordinate: true, provides: { lxd: { interface: 'containers', scope: 'container' } } })).toThrow(
      'subordinate charm "lxd" lacks "requires" relation with container scope',
    );
    const meta = parseMetadata({
      ...base,
      subordinate: true,
      provides: { lxd: { interface: 'containers', scope: 'container' } },
      requires: { 'juju-info': { interface: 'juju-info', scope: 'container' } },
      peers: { 'lxd-migration': 'lxd-migration' },
    });
    expect(meta.endpoints['lxd-migration']).toEqual({ name: 'lxd-migration', role: 'peer', interface: 'lxd-migration', scope: 'global' });
  });

  test('required keys, duplicate endpoints, reserved names, v1/v2 mix', () => {
    expect(() => parseMetadata({ name: 'x', summary: 's' })).toThrow('"description" is required');
    expect(() => parseMetadata({ ...base, provides: { a: 'i' }, requires: { a: 'j' } })).toThrow('endpoint "a" is declared more than once');
    expect(() => parseMetadata({ ...base, provides: { 'juju-x': 'i' } })).toThrow('endpoint name "juju-x" is reserved');
    expect(() => parseMetadata({ ...base, series: ['focal'], assumes: ['juju'] })).toThrow(/ambiguous metadata/);
  });

  test('config types and defaults', () => {
    expect(parseConfig({ options: { a: { type: 'int', default: 3 }, b: { type: 'boolean' } } })).toEqual({
      a: { type: 'int', default: 3 },
      b: { type: 'boolean', default: null },
    });
    expect(() => parseConfig({ options: { a: { type: 'list' } } })).toThrow('unknown type "list"');
    expect(() => parseConfig({ options: { a: { type: 'int', default: 'x' } } })).toThrow(/default: expected int/);
  });

  test('action names and schemas', () => {
    expect(parseActions({ 'show-config': { description: 'd' } })['show-config']).toEqual({ description: 'd', params: {}, required: [], additionalProperties: false });
    // juju internal/charm/actions.go: additionalProperties false unless set; a schema passes through
    expect(parseActions({ a: { additionalProperties: true } }).a?.additionalProperties).toBe(true);
    expect(parseActions({ a: { additionalProperties: { type: 'string' } } }).a?.additionalProperties).toEqual({ type: 'string' });
    expect(() => parseActions({ Bad_Name: {} })).toThrow('invalid action name "Bad_Name"');
    expect(() => parseActions({ a: { params: { x: { $ref: '#/y' } } } })).toThrow(/\$ref/);
  });
});
