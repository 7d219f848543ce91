// Validation of operator input against the charm: config values (config.yaml) and action
// parameters (actions.yaml's JSON-schema subset), done before anything is queued, as Juju does.

import { checkConfigValue } from './charm-loader';
import { ModelError } from './topology';
import type { ActionMeta, ConfigOptionMeta, ConfigValue } from './types';

/** Turns a CLI string into the option's type (`juju config app k=v` sends strings). */
export function coerceConfigValue(key: string, option: ConfigOptionMeta, raw: string): ConfigValue {
  switch (option.type) {
    case 'string':
    case 'secret':
      return raw;
    case 'boolean':
      if (/^(true|yes|on|1)$/i.test(raw)) return true;
      if (/^(false|no|off|0)$/i.test(raw)) return false;
      throw new ModelError(`option "${key}" expected boolean, got "${raw}"`);
    case 'int':
      if (!/^-?\d+$/.test(raw)) throw new ModelError(`option "${key}" expected int, got "${raw}"`);
      return Number(raw);
    case 'float':
      if (raw.trim() === '' || Number.isNaN(Number(raw))) throw new ModelError(`option "${key}" expected float, got "${raw}"`);
      return Number(raw);
  }
}

export function checkConfigChanges(options: Record<string, ConfigOptionMeta>, changes: Record<string, unknown>): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const option = options[key];
    if (!option) {
      problems.push(`unknown option "${key}"`);
      continue;
    }
    if (value === null) continue; // reset to default
    const error = checkConfigValue(option, value);
    if (error) problems.push(`option "${key}": ${error}`);
  }
  if (problems.length > 0) throw new ModelError(problems.join('; '));
}

/** The values a charm sees: defaults overlaid with what the operator set. */
export function effectiveConfig(options: Record<string, ConfigOptionMeta>, set: Record<string, ConfigValue>): Record<string, ConfigValue | null> {
  const out: Record<string, ConfigValue | null> = {};
  for (const [key, option] of Object.entries(options)) out[key] = set[key] ?? option.default ?? null;
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: unknown, value: unknown): boolean {
  const types = Array.isArray(expected) ? expected : [expected];
  const actual = jsonType(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** Checks parameters against the action's schema and returns them with schema defaults filled in. */
export function validateActionParams(actionName: string, meta: ActionMeta, params: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  const properties = meta.params as Record<string, Record<string, unknown> | undefined>;
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(properties)) {
    if (schema && 'default' in schema) out[key] = schema.default;
  }
  for (const [key, value] of Object.entries(params)) {
    const schema = properties[key];
    if (!schema) {
      if (!meta.additionalProperties) problems.push(`additional property "${key}" is not allowed`);
      out[key] = value;
      continue;
    }
    if (schema.type !== undefined && !typeMatches(schema.type, value)) {
      problems.push(`${key}: expected ${String(schema.type)}, given ${jsonType(value)}`);
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
      problems.push(`${key}: must be one of ${JSON.stringify(schema.enum)}`);
    }
    out[key] = value;
  }
  for (const key of meta.required) {
    if (!(key in params) && !(key in out)) problems.push(`${key} is required`);
  }
  if (problems.length > 0) throw new ModelError(`invalid parameters for action "${actionName}": ${problems.join('; ')}`);
  return out;
}

/** Parses `k=v` action arguments: values read as YAML scalars would be in Juju (numbers, booleans). */
export function parseActionArgs(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new ModelError(`expected "key=value", got "${arg}"`);
    const key = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    let value: unknown = raw;
    if (/^-?\d+$/.test(raw)) value = Number(raw);
    else if (/^-?\d*\.\d+$/.test(raw)) value = Number(raw);
    else if (/^(true|false)$/i.test(raw)) value = raw.toLowerCase() === 'true';
    out[key] = value;
  }
  return out;
}
