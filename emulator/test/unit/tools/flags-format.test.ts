import { parseFlags } from '../../../src/tools/flags';
import { formatJson, formatSmart, formatYaml, goYamlKeyLess } from '../../../src/tools/format';
import { buildModel, contextFor, err, ok } from './builders';

const SPECS = [
  { name: 'relation', aliases: ['r'], kind: 'string' as const },
  { name: 'app', kind: 'bool' as const },
];

describe('GNU flag parsing', () => {
  it('accepts --flag=v, --flag v, -r v and flags after positionals', () => {
    expect(parseFlags(['--relation=3', 'a'], SPECS).values.get('relation')).toBe('3');
    expect(parseFlags(['a', '--relation', '4'], SPECS).values.get('relation')).toBe('4');
    const parsed = parseFlags(['key', '-r', '5', 'unit/0', '--app'], SPECS);
    expect(parsed.values.get('relation')).toBe('5');
    expect(parsed.values.get('app')).toBe(true);
    expect(parsed.positionals).toEqual(['key', 'unit/0']);
  });

  it.each([
    ['true', true],
    ['True', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('reads --app=%s as %s', (word, value) => {
    expect(parseFlags([`--app=${word}`], SPECS).values.get('app')).toBe(value);
  });

  it('treats everything after -- as positionals', () => {
    expect(parseFlags(['--', '--app', '-r'], SPECS).positionals).toEqual(['--app', '-r']);
  });

  it('reports unknown flags and bad booleans as usage errors (exit 2)', () => {
    expect(() => parseFlags(['--nope'], SPECS)).toThrow('option provided but not defined: --nope');
    // gnuflag spells one-letter names with one dash, however they were typed
    expect(() => parseFlags(['--x'], SPECS)).toThrow('option provided but not defined: -x');
    expect(() => parseFlags(['--app=maybe'], SPECS)).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseFlags(['-r'], SPECS)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('Go output formatters', () => {
  it('smart: nothing for nil and "", True/False, string lists one per line, maps as YAML', () => {
    expect(formatSmart(null)).toBe('');
    expect(formatSmart('')).toBe('');
    expect(formatSmart('x')).toBe('x\n');
    expect(formatSmart(false)).toBe('False\n');
    expect(formatSmart(['a', 'b'])).toBe('a\nb\n');
    expect(formatSmart([])).toBe('');
    expect(formatSmart({ b: '1', a: true })).toBe('a: true\nb: "1"\n');
  });

  it('yaml quotes strings that would read as another type, and sorts keys as yaml.v2', () => {
    expect(formatYaml({ num: '12345', t: 'true', y: 'yes', plain: 'hello', ip: '10.0.0.1' })).toBe(
      'ip: 10.0.0.1\nnum: "12345"\nplain: hello\nt: "true"\n"y": "yes"\n',
    );
    expect(formatYaml({ 'lxd/10': '', 'lxd/2': '' })).toBe('lxd/2: ""\nlxd/10: ""\n');
    // quoted for syntax rather than type: single quotes, as yaml.v2's emitter picks
    expect(formatYaml({ a: 'a: b', b: '- x', c: '~', d: ['x', '0x1F'] })).toBe("a: 'a: b'\nb: '- x'\nc: \"~\"\nd:\n- x\n- \"0x1F\"\n");
    expect(goYamlKeyLess('a', 'b')).toBe(true);
    expect(formatYaml(null)).toBe('');
  });

  it('json sorts keys, escapes <>& as Go does and ends with a newline', () => {
    expect(formatJson({ b: '<a&b>', a: null })).toBe('{"a":null,"b":"\\u003ca\\u0026b\\u003e"}\n');
    expect(formatJson(null)).toBe('null\n');
  });
});

describe('common tool behaviour', () => {
  it('--help prints usage and exits 0', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    const response = run('relation-get', '--help');
    expect(response.code).toBe(0);
    expect(response.stdout).toContain('Usage: relation-get');
  });

  it('unknown flag → exit 2; extra positionals → exit 2 with Go-quoted list', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(err(run('is-leader', '--bogus'))).toEqual([2, 'ERROR option provided but not defined: --bogus\n']);
    expect(err(run('is-leader', 'a', 'b'))).toEqual([2, 'ERROR unrecognized args: ["a" "b"]\n']);
    expect(err(run('is-leader', '--format=xml'))[0]).toBe(2);
  });

  it('an unknown tool name is a bad request (exit 1)', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(err(run('no-such-tool'))).toEqual([1, 'ERROR bad request: unknown hook tool "no-such-tool"\n']);
  });

  it('-o writes the output to a file instead of stdout', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    const response = run('is-leader', '--format=json', '-o', '/tmp/out');
    expect(ok(response)).toBe('');
    expect(response.outputFile).toEqual({ path: '/tmp/out', content: 'true\n' });
  });
});
