// `juju run`'s argument parsing and the schema check before queueing, rule by rule, as Juju 3.x does
// them. Sources: juju cmd/juju/action/run.go (Init, enqueueActions, addValueToMap), internal/charm/actions.go
// (ReadActionsYaml builds the schema; ValidateParams, InsertDefaults), state/unit.go
// (PrepareActionPayload: validate, then insert defaults) and juju/gojsonschema (validation.go,
// locales.go, result.go: "<context> : <description>, given <value>").

import { parseRunCommand, parseRunParams, validateActionParams } from '../../../src/model/params';
import type { ActionMeta } from '../../../src/model/types';

const PEM = ['-----BEGIN CERTIFICATE-----', 'MIIBszCCAVmgAwIBAgIUJx4+/AbC', 'dEfG0123==', '-----END CERTIFICATE-----'].join('\n');

describe('juju run: k=v values (run.go enqueueActions: yaml.Unmarshal per value unless --string-args)', () => {
  test('each value is YAML: integers, YAML 1.1 booleans, floats, null, lists and maps', () => {
    expect(parseRunParams(['time=1000', 'a=y', 'b=no', 'c=on', 'd=true', 'e=0.5', 'f=~', 'g=[1, two]', 'h={x: 1}', 'i=0755'])).toEqual({
      time: 1000, a: true, b: false, c: true, d: true, e: 0.5, f: null, g: [1, 'two'], h: { x: 1 }, i: 493,
    });
  });

  test('strings stay strings; quotes, comments and timestamps as yaml.v2 reads them', () => {
    expect(parseRunParams(['user=nova', 'q="1000"', 'note=hi #there', 'when=2001-12-14'])).toEqual({ user: 'nova', q: '1000', note: 'hi', when: '2001-12-14' });
  });

  test('an empty value stays the empty string (an empty YAML document leaves the raw value)', () => {
    expect(parseRunParams(['name='])).toEqual({ name: '' });
  });

  test('YAML indicators mean YAML: a lone "!" is an empty tagged scalar, "?" a map with a null key', () => {
    expect(parseRunParams(['suffix=!'])).toEqual({ suffix: '' });
    expect(() => parseRunParams(['suffix=?'])).toThrow('map keyed with non-string value');
  });

  test('a multi-line PEM passed as cert="$(cat client.crt)" arrives with its line breaks folded into spaces', () => {
    expect(parseRunParams([`cert=${PEM}`])).toEqual({ cert: PEM.split('\n').join(' ') });
  });

  test('--string-args: every value is the raw string, the PEM kept intact', () => {
    expect(parseRunParams(['time=1000', 'force=y', `cert=${PEM}`, 'x='], { stringArgs: true })).toEqual({ time: '1000', force: 'y', cert: PEM, x: '' });
  });

  test('the value is split at the first "="; nothing is trimmed', () => {
    expect(parseRunParams(['fingerprint=SHA256 Fingerprint=AB:CD'], { stringArgs: true })).toEqual({ fingerprint: 'SHA256 Fingerprint=AB:CD' });
    expect(parseRunParams(['x= a '], { stringArgs: true })).toEqual({ x: ' a ' });
  });

  test('dotted keys build nested maps, merged; a scalar on the way is replaced by a map (addValueToMap)', () => {
    expect(parseRunParams(['out=out.tar.bz2', 'file.kind=xz', 'file.quality=high'])).toEqual({ out: 'out.tar.bz2', file: { kind: 'xz', quality: 'high' } });
    expect(parseRunParams(['a=1', 'a.b=2'])).toEqual({ a: { b: 2 } });
    expect(parseRunParams(['a.b=2', 'a=1'])).toEqual({ a: 1 });
  });

  test('bad arguments and keys are refused with Juju\'s words', () => {
    expect(() => parseRunParams(['oops'])).toThrow('argument "oops" must be of the form key.key.key...=value');
    expect(() => parseRunParams(['Cert=x'])).toThrow('key "Cert" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens');
    expect(() => parseRunParams(['a..b=x'])).toThrow('key "" must start');
    expect(() => parseRunParams(['=x'])).toThrow('key "" must start');
    expect(() => parseRunParams(['m={1: x}'])).toThrow('map keyed with non-string value');
  });
});

describe('juju run --params file.yaml (run.go: the file first, explicit arguments override it)', () => {
  test('the file is a map; arguments override and merge into it', () => {
    const file = `cert: |\n  ${PEM.split('\n').join('\n  ')}\nname: from-file\nfile:\n  kind: gz\n  level: 9\n`;
    expect(parseRunParams(['name=alice', 'file.kind=xz'], { paramsYaml: file })).toEqual({ cert: `${PEM}\n`, name: 'alice', file: { kind: 'xz', level: 9 } });
  });

  test('an empty file is no parameters; a file that is not a map is refused', () => {
    expect(parseRunParams([], { paramsYaml: '' })).toEqual({});
    expect(() => parseRunParams([], { paramsYaml: '- a\n- b\n' })).toThrow('params must contain a YAML map with string keys');
    expect(() => parseRunParams([], { paramsYaml: '1: x\n' })).toThrow('map keyed with non-string value');
  });
});

describe('juju run positionals (run.go Init)', () => {
  test('units of one application (or app/leader), then the action, then its arguments', () => {
    expect(parseRunCommand(['lxd/0', 'lxd/leader', 'show-config'])).toEqual({ units: ['lxd/0', 'lxd/leader'], action: 'show-config', params: {} });
    expect(parseRunCommand(['lxd/0', 'list-remotes', 'timeout=3'])).toEqual({ units: ['lxd/0'], action: 'list-remotes', params: { timeout: 3 } });
    expect(() => parseRunCommand(['show-config'])).toThrow('no unit specified');
    expect(() => parseRunCommand(['lxd/0'])).toThrow('no action specified');
    expect(() => parseRunCommand(['lxd/0', 'nova-compute/0', 'pause'])).toThrow('all units must be of the same application');
    expect(() => parseRunCommand(['lxd/0', 'Show'])).toThrow('invalid unit or action name "Show"');
  });
});

describe('the schema check before queueing (PrepareActionPayload: ValidateParams, then InsertDefaults)', () => {
  const addTrustedClient: ActionMeta = {
    params: { cert: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean', default: false } },
    required: ['cert'],
    additionalProperties: false,
  };

  test('a YAML integer for a string parameter is refused before the charm runs', () => {
    expect(() => validateActionParams(addTrustedClient, parseRunParams(['cert=1000']))).toThrow('validation failed: (root).cert : must be of type string, given 1000');
    expect(validateActionParams(addTrustedClient, parseRunParams(['cert=1000'], { stringArgs: true }))).toEqual({ cert: '1000', force: false });
  });

  test('integer and number: 2.0 is an integer, 2.5 is not; integers are numbers', () => {
    const meta: ActionMeta = { params: { n: { type: 'integer' }, x: { type: 'number' } }, required: [], additionalProperties: false };
    expect(validateActionParams(meta, { n: 2.0, x: 3 })).toEqual({ n: 2, x: 3 });
    expect(() => validateActionParams(meta, { n: 2.5 })).toThrow('validation failed: (root).n : must be of type integer, given 2.5');
  });

  test('required is checked before defaults go in: a required parameter with a default must still be given', () => {
    const meta: ActionMeta = { params: { user: { type: 'string', default: 'root' } }, required: ['user'], additionalProperties: false };
    expect(() => validateActionParams(meta, {})).toThrow('validation failed: (root) : "user" property is missing and required, given {}');
    expect(validateActionParams(meta, { user: 'nova' })).toEqual({ user: 'nova' });
  });

  test('additionalProperties: false (Juju\'s default) refuses unknown keys; true lets them through', () => {
    expect(() => validateActionParams(addTrustedClient, { cert: 'x', colour: 'red' })).toThrow(
      'validation failed: (root) : additional property "colour" is not allowed, given {"cert":"x","colour":"red"}',
    );
    expect(validateActionParams({ ...addTrustedClient, additionalProperties: true }, { cert: 'x', colour: 'red' })).toEqual({ cert: 'x', colour: 'red', force: false });
  });

  test('additionalProperties given as a schema: the other keys must match it', () => {
    const meta: ActionMeta = { params: { cert: { type: 'string' } }, required: [], additionalProperties: { type: 'string' } };
    expect(validateActionParams(meta, { cert: 'x', note: 'y' })).toEqual({ cert: 'x', note: 'y' });
    expect(() => validateActionParams(meta, { note: 7 })).toThrow('validation failed: (root) : must be of type string, given 7');
  });

  test('every problem is reported, joined by "; ", values printed as Go\'s encoding/json would (sorted keys, <>& escaped)', () => {
    expect(() => validateActionParams(addTrustedClient, { name: 7, force: 'yes', zz: '<a&b>' })).toThrow(
      'validation failed: (root) : "cert" property is missing and required, given {"force":"yes","name":7,"zz":"\\u003ca\\u0026b\\u003e"}; ' +
        '(root) : additional property "zz" is not allowed, given {"force":"yes","name":7,"zz":"\\u003ca\\u0026b\\u003e"}; ' +
        '(root).name : must be of type string, given 7; (root).force : must be of type boolean, given "yes"',
    );
  });

  test('null for a typed parameter is refused; enum, bounds, length and pattern as gojsonschema words them', () => {
    const meta: ActionMeta = {
      params: {
        mode: { type: 'string', enum: ['cold', 'live'] },
        timeout: { type: 'integer', minimum: 1, maximum: 60 },
        tag: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' },
        any: {},
      },
      required: [],
      additionalProperties: false,
    };
    expect(() => validateActionParams(meta, { mode: null })).toThrow('(root).mode : must be of type string, given null');
    expect(() => validateActionParams(meta, { mode: 'warm' })).toThrow('(root).mode : must match one of the enum values ["cold","live"], given "warm"');
    expect(() => validateActionParams(meta, { timeout: 0 })).toThrow('(root).timeout : must be greater than 1, given "0"');
    expect(() => validateActionParams(meta, { timeout: 61 })).toThrow('(root).timeout : must be lower than 60, given "61"');
    expect(() => validateActionParams(meta, { tag: 'a' })).toThrow('(root).tag : string length must be greater or equal to 2, given "a"');
    expect(() => validateActionParams(meta, { tag: 'abcde' })).toThrow('(root).tag : string length must be lower or equal to 4, given "abcde"');
    expect(() => validateActionParams(meta, { tag: 'AB' })).toThrow("(root).tag : does not match pattern '^[a-z]+$', given \"AB\"");
    expect(validateActionParams(meta, { any: null, mode: 'live', timeout: 60, tag: 'ab' })).toEqual({ any: null, mode: 'live', timeout: 60, tag: 'ab' });
  });

  test('nested objects are checked inside, and their defaults inserted where the map is given or has defaults (InsertDefaults)', () => {
    const meta: ActionMeta = {
      params: {
        file: { type: 'object', properties: { kind: { type: 'string', default: 'gz' }, level: { type: 'integer' } }, additionalProperties: false },
        out: { type: 'string' },
      },
      required: [],
      additionalProperties: false,
    };
    expect(validateActionParams(meta, parseRunParams(['file.level=9']))).toEqual({ file: { kind: 'gz', level: 9 } });
    expect(validateActionParams(meta, {})).toEqual({ file: { kind: 'gz' } });
    expect(() => validateActionParams(meta, parseRunParams(['file.level=high', 'file.size=1']))).toThrow(
      'validation failed: (root).file : additional property "size" is not allowed, given {"level":"high","size":1}; (root).file.level : must be of type integer, given "high"',
    );
  });

  test('the parameters given are not changed; defaults go into a copy', () => {
    const given = { cert: 'x' };
    expect(validateActionParams(addTrustedClient, given)).toEqual({ cert: 'x', force: false });
    expect(given).toEqual({ cert: 'x' });
  });
});
