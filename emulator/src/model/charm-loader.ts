// Loads a charm from a directory or a packed .charm (zip), the way Juju's charm reader does:
// metadata.yaml, config.yaml and actions.yaml parsed and validated, archive symlinks checked.

import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ActionMeta, CharmInfo, CharmMeta, ConfigOptionMeta, EndpointMeta, EndpointRole, StorageMeta } from './types';

export class CharmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CharmError';
  }
}

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const ACTION_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const CONFIG_TYPES = new Set(['string', 'int', 'float', 'boolean', 'secret']);

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readYaml(file: string, what: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CharmError(`cannot parse ${what}: ${(err as Error).message}`);
  }
}

function parseEndpoints(raw: unknown, role: EndpointRole, section: string, out: Record<string, EndpointMeta>): void {
  if (raw === undefined || raw === null) return;
  if (!isMap(raw)) throw new CharmError(`metadata.yaml: "${section}" must be a map of endpoints`);
  for (const [name, spec] of Object.entries(raw)) {
    if (!NAME.test(name)) throw new CharmError(`metadata.yaml: invalid endpoint name "${name}"`);
    if (out[name]) throw new CharmError(`metadata.yaml: endpoint "${name}" is declared more than once`);
    const long = isMap(spec) ? spec : { interface: spec };
    const iface = long.interface;
    if (typeof iface !== 'string' || !NAME.test(iface)) {
      throw new CharmError(`metadata.yaml: endpoint "${name}" needs an interface name`);
    }
    const scope = long.scope ?? 'global';
    if (scope !== 'global' && scope !== 'container') {
      throw new CharmError(`metadata.yaml: endpoint "${name}" has invalid scope "${String(scope)}"`);
    }
    const endpoint: EndpointMeta = { name, role, interface: iface, scope };
    if (typeof long.limit === 'number') endpoint.limit = long.limit;
    if (typeof long.optional === 'boolean') endpoint.optional = long.optional;
    out[name] = endpoint;
  }
}

export function parseMetadata(raw: unknown): CharmMeta {
  if (!isMap(raw)) throw new CharmError('metadata.yaml must be a map');
  for (const key of ['name', 'summary', 'description']) {
    if (typeof raw[key] !== 'string' || raw[key] === '') throw new CharmError(`metadata.yaml: "${key}" is required`);
  }
  const name = raw.name as string;
  if (!NAME.test(name)) throw new CharmError(`metadata.yaml: invalid charm name "${name}"`);
  const v1 = ['series', 'min-juju-version'].filter((k) => k in raw);
  const v2 = ['assumes', 'containers', 'charm-user'].filter((k) => k in raw);
  if (v1.length > 0 && v2.length > 0) {
    throw new CharmError(`ambiguous metadata: keys ${v1.join(', ')} cannot be used with ${v2.join(', ')}`);
  }
  const endpoints: Record<string, EndpointMeta> = {};
  parseEndpoints(raw.provides, 'provider', 'provides', endpoints);
  parseEndpoints(raw.requires, 'requirer', 'requires', endpoints);
  parseEndpoints(raw.peers, 'peer', 'peers', endpoints);
  for (const ep of Object.values(endpoints)) {
    const subordinateContainer = raw.subordinate === true && ep.role === 'requirer' && ep.scope === 'container';
    if ((ep.name === 'juju' || ep.name.startsWith('juju-')) && !subordinateContainer) {
      throw new CharmError(`metadata.yaml: endpoint name "${ep.name}" is reserved`);
    }
    if (ep.role !== 'requirer' && (ep.interface === 'juju' || ep.interface.startsWith('juju-'))) {
      throw new CharmError(`metadata.yaml: endpoint "${ep.name}" may not use reserved interface "${ep.interface}"`);
    }
  }
  const subordinate = raw.subordinate === true;
  if (subordinate && !Object.values(endpoints).some((e) => e.role === 'requirer' && e.scope === 'container')) {
    throw new CharmError(`subordinate charm "${name}" lacks "requires" relation with container scope`);
  }
  return { name, summary: raw.summary as string, description: raw.description as string, subordinate, endpoints, storage: parseStorage(raw.storage) };
}

/** metadata.yaml `storage:` (Juju's internal/charm meta.go: type, multiple.range N | N-M | N- | N+). */
function parseStorage(raw: unknown): Record<string, StorageMeta> {
  if (raw === undefined || raw === null) return {};
  if (!isMap(raw)) throw new CharmError('metadata.yaml: "storage" must be a map');
  const out: Record<string, StorageMeta> = {};
  for (const [name, spec] of Object.entries(raw)) {
    if (!NAME.test(name) || !isMap(spec)) throw new CharmError(`metadata.yaml: invalid storage "${name}"`);
    const type = spec.type;
    if (type !== 'block' && type !== 'filesystem') throw new CharmError(`metadata.yaml: storage "${name}": invalid storage type "${String(type)}"`);
    if (type === 'block' && spec.location !== undefined) throw new CharmError(`metadata.yaml: storage "${name}": location may not be specified for "type: block"`);
    let min = 1;
    let max: number | null = 1;
    const multiple = spec.multiple;
    if (multiple !== undefined) {
      const range = isMap(multiple) ? String(multiple.range ?? '') : '';
      const m = /^(\d+)(?:(-)(\d*)|(\+))?$/.exec(range);
      if (!m) throw new CharmError(`metadata.yaml: storage "${name}": invalid range "${range}"`);
      min = Number(m[1]);
      max = m[4] === '+' || (m[2] === '-' && m[3] === '') ? null : m[3] !== undefined ? Number(m[3]) : min;
    }
    out[name] = { type, min, max, ...(typeof spec.location === 'string' ? { location: spec.location } : {}) };
  }
  return out;
}

export function parseConfig(raw: unknown): Record<string, ConfigOptionMeta> {
  if (raw === undefined || raw === null) return {};
  if (!isMap(raw)) throw new CharmError('config.yaml must be a map');
  const options = raw.options ?? {};
  if (!isMap(options)) throw new CharmError('config.yaml: "options" must be a map');
  const out: Record<string, ConfigOptionMeta> = {};
  for (const [key, spec] of Object.entries(options)) {
    if (!isMap(spec)) throw new CharmError(`config.yaml: option "${key}" must be a map`);
    const type = spec.type ?? 'string';
    if (typeof type !== 'string' || !CONFIG_TYPES.has(type)) {
      throw new CharmError(`config.yaml: option "${key}" has unknown type "${String(type)}"`);
    }
    const option: ConfigOptionMeta = { type: type as ConfigOptionMeta['type'] };
    if (typeof spec.description === 'string') option.description = spec.description;
    if (spec.default !== undefined && spec.default !== null) {
      const error = checkConfigValue(option, spec.default);
      if (error) throw new CharmError(`config.yaml: option "${key}" default: ${error}`);
      option.default = spec.default as ConfigOptionMeta['default'];
    } else {
      option.default = null;
    }
    out[key] = option;
  }
  return out;
}

/** Returns an error text if the value does not fit the option's type. */
export function checkConfigValue(option: ConfigOptionMeta, value: unknown): string | null {
  switch (option.type) {
    case 'string':
    case 'secret':
      return typeof value === 'string' ? null : `expected string, got ${JSON.stringify(value)}`;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? null : `expected int, got ${JSON.stringify(value)}`;
    case 'float':
      return typeof value === 'number' ? null : `expected float, got ${JSON.stringify(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected boolean, got ${JSON.stringify(value)}`;
  }
}

export function parseActions(raw: unknown): Record<string, ActionMeta> {
  if (raw === undefined || raw === null) return {};
  if (!isMap(raw)) throw new CharmError('actions.yaml must be a map');
  const out: Record<string, ActionMeta> = {};
  for (const [name, spec] of Object.entries(raw)) {
    if (!ACTION_NAME.test(name) || name === 'juju' || name.startsWith('juju-')) {
      throw new CharmError(`actions.yaml: invalid action name "${name}"`);
    }
    const s = isMap(spec) ? spec : {};
    const params = s.params ?? {};
    if (!isMap(params)) throw new CharmError(`actions.yaml: "${name}.params" must be a map`);
    if (JSON.stringify(params).includes('"$ref"') || JSON.stringify(params).includes('"$schema"')) {
      throw new CharmError(`actions.yaml: "${name}" may not use $ref or $schema`);
    }
    const required = s.required ?? [];
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
      throw new CharmError(`actions.yaml: "${name}.required" must be a list of names`);
    }
    const action: ActionMeta = {
      params,
      required: required as string[],
      additionalProperties: isMap(s.additionalProperties) ? s.additionalProperties : s.additionalProperties === true,
    };
    if (typeof s.description === 'string') action.description = s.description;
    if (s.parallel === true) action.parallel = true;
    if (typeof s['execution-group'] === 'string' && s['execution-group'] !== '') action.executionGroup = s['execution-group'];
    out[name] = action;
  }
  return out;
}

// Juju's expander: symlinks must be relative and stay inside the charm; no pipes, sockets, devices.
export function checkCharmTree(root: string): void {
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      const rel = path.relative(root, full);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(full);
        if (path.isAbsolute(target)) throw new CharmError(`symlink "${rel}" is absolute: "${target}"`);
        const resolved = path.resolve(path.dirname(full), target);
        if (resolved !== root && !resolved.startsWith(root + path.sep)) {
          throw new CharmError(`symlink "${rel}" links out of charm: "${target}"`);
        }
      } else if (st.isDirectory()) {
        walk(full);
      } else if (!st.isFile()) {
        throw new CharmError(`file "${rel}" has an unsupported type (pipe, socket or device)`);
      }
    }
  };
  walk(root);
}

/** Unpacks a .charm into a new directory under `unpackRoot` (modes and relative symlinks kept). */
export function unpackCharm(archive: string, unpackRoot: string): string {
  const dir = mkdtempSync(path.join(unpackRoot, `${path.basename(archive, '.charm')}-`));
  try {
    execFileSync('unzip', ['-q', '-o', archive, '-d', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    checkCharmTree(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    if (err instanceof CharmError) throw err;
    throw new CharmError(`cannot unpack ${archive}: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  return dir;
}

/** Reads a charm directory (already unpacked). */
export function readCharmDir(dir: string, source: string, revision: number): CharmInfo {
  const metaFile = path.join(dir, 'metadata.yaml');
  if (!existsSync(metaFile)) throw new CharmError(`${source}: no metadata.yaml (not a charm)`);
  const meta = parseMetadata(readYaml(metaFile, 'metadata.yaml'));
  const configFile = path.join(dir, 'config.yaml');
  const actionsFile = path.join(dir, 'actions.yaml');
  const config = existsSync(configFile) ? parseConfig(readYaml(configFile, 'config.yaml')) : {};
  const actions = existsSync(actionsFile) ? parseActions(readYaml(actionsFile, 'actions.yaml')) : {};
  return { dir, source, revision, meta, config, actions };
}

/** Loads a charm from a directory or a .charm file; archives are unpacked under `unpackRoot`. */
export function loadCharm(source: string, unpackRoot: string, revision = 0): CharmInfo {
  const abs = path.resolve(source);
  if (!existsSync(abs)) throw new CharmError(`charm not found: ${source}`);
  if (statSync(abs).isDirectory()) {
    checkCharmTree(abs);
    return readCharmDir(abs, abs, revision);
  }
  return readCharmDir(unpackCharm(abs, unpackRoot), abs, revision);
}
