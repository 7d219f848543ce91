// Validation of operator input against the charm: config values (config.yaml) and action
// parameters (`juju run`'s argument parsing, then actions.yaml's JSON schema), done before anything
// is queued, as Juju does.

import YAML, { type Document } from 'yaml';
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


// ---- `juju run` arguments (juju cmd/juju/action/run.go: Init, enqueueActions, addValueToMap) ----

/** Every part of a dotted key, like an action name (juju internal/charm/actions.go actionNameRule). */
const KEY_PART = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Juju reads values with gopkg.in/yaml.v2: YAML 1.1 scalars (y/yes/on are true, 0755 is octal),
 * timestamps kept as strings (yaml.v2 does so when decoding into interface{}), later duplicate keys win. */
const YAML_V2_LIKE = {
  version: '1.1',
  schema: 'yaml-1.1',
  uniqueKeys: false,
  customTags: (tags: YAML.Tags): YAML.Tags => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
} as const;

export interface RunParamsOptions {
  /** `--string-args`: every value is the raw string, not YAML */
  stringArgs?: boolean;
  /** the text of the `--params` file; CLI arguments override what it sets */
  paramsYaml?: string;
}

/** The first YAML document of `text` (yaml.v2's Unmarshal reads only the first), or undefined if it has none. */
function firstDocument(text: string): Document.Parsed | undefined {
  const docs = YAML.parseAllDocuments(text, YAML_V2_LIKE);
  const first = Array.isArray(docs) ? docs[0] : docs;
  if (first === undefined || first.contents === null) return undefined;
  const error = first.errors[0];
  if (error) throw new ModelError(`yaml: ${error.message}`);
  return first;
}

/** juju's ConformYAML: nested maps must have string keys; Maps become plain objects. */
function conform(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of value) {
      if (typeof key !== 'string') throw new ModelError('map keyed with non-string value');
      out[key] = conform(inner);
    }
    return out;
  }
  if (Array.isArray(value)) return value.map(conform);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** addValueToMap: steps into maps already there, replaces anything else on the way with a map. */
function addValueToMap(keys: readonly string[], value: unknown, target: Record<string, unknown>): void {
  let node = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (isObject(next)) node = next;
    else {
      const made: Record<string, unknown> = {};
      node[key] = made;
      node = made;
    }
  });
}

/**
 * The parameters `juju run <unit> <action> [k.k=v ...] [--params f.yaml] [--string-args]` sends:
 * the params file's map, then each argument (split at its first "=", the key at dots into nested
 * maps) set over it, its value parsed as YAML unless `--string-args`. An empty value stays "".
 */
export function parseRunParams(args: readonly string[], options: RunParamsOptions = {}): Record<string, unknown> {
  const parsedArgs = args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq < 0) throw new ModelError(`argument "${arg}" must be of the form key.key.key...=value`);
    const keys = arg.slice(0, eq).split('.');
    for (const key of keys) {
      if (!KEY_PART.test(key)) throw new ModelError(`key "${key}" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens`);
    }
    return { keys, raw: arg.slice(eq + 1) };
  });
  let params: Record<string, unknown> = {};
  if (options.paramsYaml !== undefined) {
    const doc = firstDocument(options.paramsYaml);
    const map = doc === undefined ? {} : conformParamsFile(doc.toJS({ mapAsMap: true }));
    params = map;
  }
  for (const { keys, raw } of parsedArgs) {
    let value: unknown = raw;
    if (!options.stringArgs) {
      // yaml.Unmarshal into a variable already holding the raw string leaves it as is for an empty document
      const doc = firstDocument(raw);
      if (doc !== undefined) value = conform(doc.toJS({ mapAsMap: true }));
    }
    addValueToMap(keys, value, params);
  }
  return params;
}

function conformParamsFile(value: unknown): Record<string, unknown> {
  if (!(value instanceof Map)) throw new ModelError('params must contain a YAML map with string keys');
  const out = conform(value);
  if (!isObject(out)) throw new ModelError('params must contain a YAML map with string keys');
  return out;
}

// ---- actions.yaml's schema (juju internal/charm/actions.go ValidateParams, InsertDefaults; juju/gojsonschema) ----

type Schema = Record<string, unknown>;

/** The schema Juju builds from an actions.yaml entry: an object of `params`, `required`, no others unless allowed. */
export function actionSchema(meta: ActionMeta): Schema {
  return { type: 'object', properties: meta.params, required: meta.required, additionalProperties: meta.additionalProperties };
}

/** Go's encoding/json as gojsonschema prints a "given" value: sorted keys, <, > and & escaped. */
function goJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
    return v;
  };
  const text = JSON.stringify(sortKeys(value)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function typesOf(schema: Schema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** gojsonschema's isFloat64AnInteger: integral and within ±(2^53-1). */
function isJsonInteger(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER;
}

/** gojsonschema's resultErrorFormatNumber: %d for integers, else Go's shortest %g (exponent form below 1e-4 and from 1e6, two exponent digits). */
function formatNumber(n: number): string {
  if (isJsonInteger(n)) return String(n);
  const exponential = n.toExponential();
  const exp = Number(exponential.split('e')[1]);
  if (exp >= -4 && exp < 6) return String(n);
  return exponential.replace(/e([+-])(\d)$/, 'e$10$2');
}

function childSchema(value: unknown): Schema | undefined {
  return isObject(value) ? value : undefined;
}

/** A JSON-schema draft 4 check with gojsonschema's order and wording, each problem `context : description, given value`. */
function check(schema: Schema, value: unknown, context: string, problems: string[]): void {
  const add = (description: string, given: unknown = value): void => {
    problems.push(`${context} : ${description}, given ${goJson(given)}`);
  };
  const types = typesOf(schema);
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value === 'object' ? 'object' : typeof value;
  const typeOk = kind === 'number' ? types.includes('number') || (isJsonInteger(value as number) && types.includes('integer')) : types.includes(kind);
  if (types.length > 0 && !typeOk) {
    add(`must be of type ${types.length > 1 ? `[${types.join(',')}]` : types[0]}`);
    return;
  }
  checkCombinators(schema, value, context, problems);
  if (typeof value === 'number') checkNumber(schema, value, add);
  if (Array.isArray(value)) checkArray(schema, value, context, problems, add);
  if (isObject(value)) checkObject(schema, value, context, problems, add);
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && !schema.enum.some((e) => goJson(e) === goJson(value))) {
    add(`must match one of the enum values [${schema.enum.map(goJson).join(',')}]`);
  }
  if (typeof value === 'string') checkString(schema, value, add);
  if (isObject(value) && isObject(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const subSchema = childSchema(sub);
      if (subSchema && key in value) check(subSchema, value[key], `${context}.${key}`, problems);
    }
  }
}

function checkCombinators(schema: Schema, value: unknown, context: string, problems: string[]): void {
  const valid = (sub: unknown): boolean => {
    const s = childSchema(sub);
    if (!s) return true;
    const found: string[] = [];
    check(s, value, context, found);
    return found.length === 0;
  };
  const add = (description: string): void => {
    problems.push(`${context} : ${description}, given ${goJson(value)}`);
  };
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0 && !schema.anyOf.some(valid)) add('must validate at least one schema (anyOf)');
  if (Array.isArray(schema.oneOf) && schema.oneOf.length > 0 && schema.oneOf.filter(valid).length !== 1) add('must validate one and only one schema (oneOf)');
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    for (const sub of schema.allOf) {
      const s = childSchema(sub);
      if (s) check(s, value, context, problems);
    }
    if (!schema.allOf.every(valid)) add('must validate all the schemas (allOf)');
  }
  if (schema.not !== undefined && valid(schema.not) && childSchema(schema.not)) add('must not validate the schema (not)');
}

function checkNumber(schema: Schema, value: number, add: (description: string, given?: unknown) => void): void {
  const given = formatNumber(value); // gojsonschema passes the number formatted as a string here
  if (typeof schema.multipleOf === 'number' && !isJsonInteger(value / schema.multipleOf)) add(`must be a multiple of ${formatNumber(schema.multipleOf)}`, given);
  // gojsonschema's wording, swapped as it is: an exclusive maximum says "lower than or equal to"
  if (typeof schema.maximum === 'number') {
    if (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum) {
      add(`${schema.exclusiveMaximum === true ? 'must be lower than or equal to' : 'must be lower than'} ${formatNumber(schema.maximum)}`, given);
    }
  }
  if (typeof schema.minimum === 'number') {
    if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum) {
      add(`${schema.exclusiveMinimum === true ? 'must be greater than or equal to' : 'must be greater than'} ${formatNumber(schema.minimum)}`, given);
    }
  }
}

function checkString(schema: Schema, value: string, add: (description: string) => void): void {
  const length = [...value].length; // runes, as utf8.RuneCount
  if (typeof schema.minLength === 'number' && length < schema.minLength) add(`string length must be greater or equal to ${schema.minLength}`);
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) add(`string length must be lower or equal to ${schema.maxLength}`);
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) add(`does not match pattern '${schema.pattern}'`);
}

function checkArray(schema: Schema, value: unknown[], context: string, problems: string[], add: (description: string) => void): void {
  const items = childSchema(schema.items);
  if (items) value.forEach((item, i) => check(items, item, `${context}.${i}`, problems));
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) add(`array must have at least ${schema.minItems} items`);
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) add(`array must have at the most ${schema.maxItems} items`);
  if (schema.uniqueItems === true) {
    const seen = new Set<string>();
    for (const item of value) {
      const key = goJson(item);
      if (seen.has(key)) add('array items must be unique');
      seen.add(key);
    }
  }
}

function checkObject(schema: Schema, value: Record<string, unknown>, context: string, problems: string[], add: (description: string) => void): void {
  const count = Object.keys(value).length;
  if (typeof schema.minProperties === 'number' && count < schema.minProperties) add(`must have at least ${schema.minProperties} properties`);
  if (typeof schema.maxProperties === 'number' && count > schema.maxProperties) add(`must have at the most ${schema.maxProperties} properties`);
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (typeof key === 'string' && !(key in value)) add(`"${key}" property is missing and required`);
  }
  const declared = isObject(schema.properties) ? schema.properties : {};
  const extra = Object.keys(value).filter((key) => !(key in declared));
  if (schema.additionalProperties === false) {
    for (const key of extra) add(`additional property "${key}" is not allowed`);
  } else {
    const extraSchema = childSchema(schema.additionalProperties);
    if (extraSchema) for (const key of extra) check(extraSchema, value[key], context, problems);
  }
}

/** InsertDefaults (juju/gojsonschema defaults.go): absent keys get their default; present maps are stepped into. */
function insertDefaults(properties: Record<string, unknown>, into: Record<string, unknown>): void {
  for (const [key, sub] of Object.entries(properties)) {
    const schema = childSchema(sub);
    if (!schema) continue;
    const present = into[key];
    if (key in into) {
      if (isObject(present) && isObject(schema.properties)) insertDefaults(schema.properties, present);
      continue;
    }
    if ('default' in schema) into[key] = structuredClone(schema.default);
    else if (isObject(schema.properties)) {
      const made: Record<string, unknown> = {};
      insertDefaults(schema.properties, made);
      if (Object.keys(made).length > 0) into[key] = made;
    }
  }
}

/**
 * Unit.PrepareActionPayload: validates the parameters against the action's schema (required is
 * checked before defaults go in), then returns a copy with the schema's defaults inserted.
 */
export function validateActionParams(meta: ActionMeta, params: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  check(actionSchema(meta), params, '(root)', problems);
  if (problems.length > 0) throw new ModelError(`validation failed: ${problems.join('; ')}`);
  const out = structuredClone(params);
  insertDefaults(meta.params, out);
  return out;
}

/** Unit names as `juju run` takes them: app/N or app/leader (juju cmd/juju/action/run.go validUnitOrLeader). */
const UNIT_OR_LEADER = /^([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)\/(?:0|[1-9][0-9]*|leader)$/;

export interface RunCommand {
  units: string[];
  action: string;
  params: Record<string, unknown>;
}

/** `juju run`'s positional arguments (Init): one or more units of one application, the action, then k=v arguments. */
export function parseRunCommand(positionals: readonly string[], options: RunParamsOptions = {}): RunCommand {
  const units: string[] = [];
  const apps = new Set<string>();
  let action = '';
  for (const arg of positionals) {
    const unit = UNIT_OR_LEADER.exec(arg);
    if (unit) {
      apps.add(unit[1] as string);
      units.push(arg);
    } else if (KEY_PART.test(arg)) {
      action = arg;
      break;
    } else throw new ModelError(`invalid unit or action name "${arg}"`);
  }
  if (units.length === 0) throw new ModelError('no unit specified');
  if (action === '') throw new ModelError('no action specified');
  if (apps.size > 1) throw new ModelError('all units must be of the same application');
  return { units, action, params: parseRunParams(positionals.slice(units.length + 1), options) };
}
