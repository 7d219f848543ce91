// The README must describe the charm as it is: every config option and action by name, the two
// quick-start commands, and the same test command CI runs (so they cannot drift apart).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

const repoRoot = join(__dirname, '..', '..');
const read = (name: string): string => readFileSync(join(repoRoot, name), 'utf8');
const readme = read('README.md');

function yamlKeys(name: string, pick: (doc: Record<string, unknown>) => unknown): string[] {
  if (!existsSync(join(repoRoot, name))) throw new Error(`${name} is missing at the repository root`);
  const doc = (YAML.parse(read(name)) ?? {}) as Record<string, unknown>;
  return Object.keys((pick(doc) ?? {}) as Record<string, unknown>);
}

// The fenced `sh` blocks of the "## Quick start" section, one command per non-empty line.
function quickStartCommands(): string[] {
  const section = /^## Quick start\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((block) => (block[1] ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('README.md', () => {
  test('has a table row for every config option', () => {
    const options = yamlKeys('config.yaml', (doc) => doc.options);
    expect(options.length).toBeGreaterThan(0);
    expect(options.filter((name) => !readme.includes(`| \`${name}\` |`))).toEqual([]);
  });

  test('has a table row for every action', () => {
    const actions = yamlKeys('actions.yaml', (doc) => doc);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((name) => !readme.includes(`| \`${name}\` |`))).toEqual([]);
  });

  test('names every relation endpoint of metadata.yaml', () => {
    const endpoints = ['provides', 'requires', 'peers'].flatMap((role) => yamlKeys('metadata.yaml', (doc) => doc[role]));
    expect(endpoints.filter((name) => !readme.includes(`| \`${name}\` |`))).toEqual([]);
  });

  test('gives exactly two quick-start commands: set-up plus the demo, and set-up plus all tests', () => {
    const commands = quickStartCommands();
    expect(commands).toHaveLength(2);
    const [demo, tests] = commands as [string, string];
    expect(demo).toMatch(/ && npm run demo$/);
    expect(tests).toMatch(/ && npm test$/);
    expect(demo.replace(/npm run demo$/, '')).toBe(tests.replace(/npm test$/, ''));
    expect(demo).toMatch(/^scripts\/setup-host\.sh && npm ci && /);
  });

  test('runs in CI exactly the test command it gives', () => {
    const testCommand = quickStartCommands()[1];
    const ciLines = read('.ci/run').split('\n').map((line) => line.trim());
    expect(ciLines).toContain(testCommand);
  });

  test('mentions only npm scripts that package.json defines', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const mentioned = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1] ?? '');
    expect(mentioned.filter((name) => !(name in scripts))).toEqual([]);
  });
});
