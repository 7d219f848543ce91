// Validates the packed charm, build/lxd.charm (made by `npm run pack`), as Juju would see it.
// It lives in the jest project `package` (see jest.config.js): it needs the artifact, so it runs
// after `npm run pack`, and it spawns nothing (the zip is read in-process by ./zip-archive).
import { accessSync, constants, existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import YAML from 'yaml';
import { extractZip, readZip, type ZipEntry } from './zip-archive';
import {
  actionsProblems, expectedHooks, metadataProblems, schemaProblems,
  type Actions, type Manifest, type Metadata,
} from './charm-rules';
import { actions as handledActions, handledHookNames } from '../../src/events';

const repoRoot = join(__dirname, '..', '..');
const artifact = join(repoRoot, 'build', 'lxd.charm');

let entries: ZipEntry[] = [];
let charmDir = '';

const entryNamed = (name: string): ZipEntry | undefined => entries.find((e) => e.name === name);
const yamlIn = (name: string): unknown => YAML.parse(readFileSync(join(charmDir, name), 'utf8'));
const metadata = (): Metadata => yamlIn('metadata.yaml') as Metadata;

beforeAll(() => {
  if (!existsSync(artifact)) throw new Error(`${artifact} does not exist: run \`npm run pack\` first`);
  entries = readZip(readFileSync(artifact));
  charmDir = mkdtempSync(join(tmpdir(), 'lxd-charm-archive-'));
  const unsafe = entries.filter((e) => posix.isAbsolute(e.name) || e.name.split('/').includes('..'));
  if (unsafe.length > 0) throw new Error(`unsafe entry names: ${unsafe.map((e) => e.name).join(', ')}`);
  extractZip(entries, charmDir);
});

afterAll(() => {
  if (charmDir) rmSync(charmDir, { recursive: true, force: true });
});

describe('the packed charm', () => {
  test('holds the files Juju and the charm need at its root', () => {
    const required = ['metadata.yaml', 'manifest.yaml', 'config.yaml', 'actions.yaml', 'dispatch', 'hooks',
      'dist/lxd-charm.js', 'dist/charm.js', 'README.md', 'LICENSE', 'version'];
    expect(required.filter((name) => !entryNamed(name))).toEqual([]);
  });

  test('carries no sources, tests, package manifests or node_modules', () => {
    const names = entries.map((e) => e.name);
    expect(names.filter((n) => n.split('/').includes('node_modules'))).toEqual([]);
    expect(names.filter((n) => /\.(ts|mts|cts|map)$/.test(n))).toEqual([]);
    expect(names.filter((n) => /^(src|test|bench|emulator|scripts)(\/|$)/.test(n))).toEqual([]);
    expect(names.filter((n) => /(^|\/)package(-lock)?\.json$/.test(n))).toEqual([]);
    // the entry point, the full charm it loads, and the packages loaded on first use
    expect(names.filter((n) => n.endsWith('.js')).sort()).toEqual(['dist/charm.js', 'dist/lazy/handlebars.js', 'dist/lazy/yaml.js', 'dist/lxd-charm.js']);
  });

  test('stores every entry as a unix file, directory or relative symlink that stays inside the charm', () => {
    expect(entries.filter((e) => !e.madeOnUnix || e.kind === 'other').map((e) => e.name)).toEqual([]);
    for (const link of entries.filter((e) => e.kind === 'symlink')) {
      const target = link.data.toString('utf8');
      expect({ link: link.name, absolute: posix.isAbsolute(target) }).toEqual({ link: link.name, absolute: false });
      const resolved = posix.normalize(posix.join(posix.dirname(link.name), target));
      expect({ link: link.name, escapes: resolved.startsWith('../') }).toEqual({ link: link.name, escapes: false });
      expect(entryNamed(resolved)).toBeDefined();
    }
  });

  test('metadata.yaml is the lxd subordinate with its three endpoints, valid by Juju\'s rules', () => {
    const meta = yamlIn('metadata.yaml');
    expect(schemaProblems('metadata', meta)).toEqual([]);
    expect(metadataProblems(meta as Metadata)).toEqual([]);
    expect(meta).toMatchObject({
      name: 'lxd',
      subordinate: true,
      provides: { lxd: { interface: 'containers', scope: 'container' } },
      requires: { container: { interface: 'juju-info', scope: 'container' } },
      peers: { 'lxd-migration': { interface: 'lxd-migration' } },
    });
  });

  test('config.yaml gives every option a Juju type, a description and a default of that type', () => {
    const config = yamlIn('config.yaml');
    expect(schemaProblems('config', config)).toEqual([]);
  });

  test('actions.yaml declares valid actions whose params form a JSON schema', () => {
    const actions = yamlIn('actions.yaml');
    expect(schemaProblems('actions', actions)).toEqual([]);
    expect(actionsProblems(actions as Actions)).toEqual([]);
  });

  test('manifest.yaml declares Ubuntu 20.04, 22.04 and 24.04 on nova-compute\'s four architectures, as string channels', () => {
    const manifest = yamlIn('manifest.yaml');
    expect(schemaProblems('manifest', manifest)).toEqual([]);
    const bases = (manifest as Manifest).bases.map((b) => `${b.name}@${b.channel}:${b.architectures.join(',')}`);
    expect(bases).toEqual(['20.04', '22.04', '24.04'].map((channel) => `ubuntu@${channel}:amd64,arm64,ppc64el,s390x`));
    expect(entryNamed('charmcraft.yaml')).toBeUndefined(); // build-time only: Juju never reads it
  });

  test('metadata.yaml declares the node-runtime file resource dispatch asks resource-get for', () => {
    const metadata = yamlIn('metadata.yaml') as { resources?: Record<string, { type?: string; filename?: string }> };
    expect(metadata.resources?.['node-runtime']).toMatchObject({ type: 'file', filename: 'node-runtime.tar.xz' });
    expect(readFileSync(join(charmDir, 'dispatch'), 'utf8')).toContain('resource-get node-runtime');
  });

  test('dispatch is an executable script (0755, with a shebang) that runs the bundle', () => {
    expect(entryNamed('dispatch')).toMatchObject({ kind: 'file', mode: 0o755 });
    const script = readFileSync(join(charmDir, 'dispatch'), 'utf8');
    expect(script.startsWith('#!')).toBe(true);
    expect(script).toContain('dist/lxd-charm.js');
    expect(() => accessSync(join(charmDir, 'dispatch'), constants.X_OK)).not.toThrow();
  });

  test('every handled hook and every declared relation event has an executable entry point reaching dispatch', () => {
    const dispatch = realpathSync(join(charmDir, 'dispatch'));
    const hooks = [...new Set([...handledHookNames, ...expectedHooks(metadata())])];
    const missing = hooks.filter((hook) => {
      const path = join(charmDir, 'hooks', hook);
      if (!existsSync(path)) return true;
      try { accessSync(path, constants.X_OK); } catch { return true; }
      return lstatSync(path).isSymbolicLink() && realpathSync(path) !== dispatch;
    });
    expect(missing).toEqual([]);
  });

  test('every declared action has an executable entry point reaching dispatch', () => {
    const dispatch = realpathSync(join(charmDir, 'dispatch'));
    const actions = Object.keys((yamlIn('actions.yaml') ?? {}) as Actions);
    const broken = actions.filter((action) => {
      const path = join(charmDir, 'actions', action);
      return !existsSync(path) || realpathSync(path) !== dispatch || (statSync(path).mode & 0o111) === 0;
    });
    expect(broken).toEqual([]);
  });

  test('declares in actions.yaml exactly the actions the event table handles', () => {
    const declared = Object.keys((yamlIn('actions.yaml') ?? {}) as Actions).sort();
    expect(declared).toEqual(Object.keys(handledActions).sort());
  });

  test('version starts with the package version', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(readFileSync(join(charmDir, 'version'), 'utf8')).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}(\\+[0-9a-f]+(-dirty)?)?\\n$`));
  });
});

// The checks above are only as good as the validators: show each one refuses what Juju refuses.
describe('the charm validators', () => {
  const goodMeta: Metadata = {
    name: 'lxd', summary: 's', description: 'd', subordinate: true,
    requires: { container: { interface: 'juju-info', scope: 'container' } },
    peers: { 'lxd-migration': 'lxd-migration' },
  };

  test('accept a minimal valid subordinate', () => {
    expect([...schemaProblems('metadata', goodMeta), ...metadataProblems(goodMeta)]).toEqual([]);
  });

  test('refuse metadata without a summary, with a v1 series or with an upper-case endpoint', () => {
    expect(schemaProblems('metadata', { name: 'lxd', description: 'd' })).not.toEqual([]);
    expect(schemaProblems('metadata', { ...goodMeta, series: ['jammy'] })).not.toEqual([]);
    expect(schemaProblems('metadata', { ...goodMeta, provides: { LXD: 'containers' } })).not.toEqual([]);
  });

  test('refuse a subordinate lacking a container-scoped requires, reserved names and duplicate endpoints', () => {
    expect(metadataProblems({ ...goodMeta, requires: { container: 'juju-info' } }))
      .toEqual(['subordinate charm "lxd" lacks "requires" relation with container scope']);
    expect(metadataProblems({ ...goodMeta, provides: { 'juju-x': 'containers' } })).toHaveLength(1);
    expect(metadataProblems({ ...goodMeta, provides: { info: 'juju-info' } })).toHaveLength(1);
    expect(metadataProblems({ ...goodMeta, provides: { container: 'containers' } })).toHaveLength(1);
  });

  test('refuse a config default of the wrong type and an unknown option type', () => {
    expect(schemaProblems('config', { options: { mtu: { type: 'int', default: '1500', description: 'm' } } })).not.toEqual([]);
    expect(schemaProblems('config', { options: { mtu: { type: 'int', default: 1.5, description: 'm' } } })).not.toEqual([]);
    expect(schemaProblems('config', { options: { on: { type: 'bool', default: true, description: 'o' } } })).not.toEqual([]);
    expect(schemaProblems('config', { options: { mtu: { type: 'float', default: 1500, description: 'm' } } })).toEqual([]);
  });

  test('refuse reserved or malformed action names, undeclared required params and ill-typed defaults', () => {
    expect(schemaProblems('actions', { 'juju-run': { description: 'x' } })).not.toEqual([]);
    expect(schemaProblems('actions', { 'List-Remotes': { description: 'x' } })).not.toEqual([]);
    expect(actionsProblems({ a: { description: 'x', required: ['user'] } })).toHaveLength(1);
    expect(actionsProblems({ a: { description: 'x', params: { n: { type: 'integer', default: 'two' } } } })).toHaveLength(1);
  });

  test('refuse a Debian base, a numeric channel and an unknown architecture in the manifest', () => {
    expect(schemaProblems('manifest', { bases: [{ name: 'debian', channel: '12', architectures: ['amd64'] }] })).not.toEqual([]);
    expect(schemaProblems('manifest', YAML.parse('bases: [{name: ubuntu, channel: 22.04, architectures: [amd64]}]'))).not.toEqual([]);
    expect(schemaProblems('manifest', { bases: [{ name: 'ubuntu', channel: '22.04', architectures: ['x86_64'] }] })).not.toEqual([]);
  });
});
