// The Juju rules for a charm's YAML files: ajv schemas for structure (./schemas), plus the
// cross-field checks JSON Schema cannot say. Each check returns every problem, not just the first.
import Ajv, { type ErrorObject } from 'ajv';
import metadataSchema from './schemas/metadata.schema.json';
import configSchema from './schemas/config.schema.json';
import actionsSchema from './schemas/actions.schema.json';
import manifestSchema from './schemas/manifest.schema.json';

export type Endpoint = string | { interface: string; scope?: 'global' | 'container'; limit?: number | null; optional?: boolean };
export interface Metadata {
  name: string;
  summary: string;
  description: string;
  subordinate?: boolean;
  provides?: Record<string, Endpoint>;
  requires?: Record<string, Endpoint>;
  peers?: Record<string, Endpoint>;
}
export interface ConfigOption { type: 'string' | 'int' | 'float' | 'boolean' | 'secret'; description: string; default?: unknown }
export interface Config { options: Record<string, ConfigOption> }
export interface ActionSpec {
  description: string;
  params?: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
}
export type Actions = Record<string, ActionSpec>;
export interface Base { name: string; channel: string; architectures: string[] }
export interface Manifest { bases: Base[] }

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = {
  metadata: ajv.compile<Metadata>(metadataSchema),
  config: ajv.compile<Config>(configSchema),
  actions: ajv.compile<Actions>(actionsSchema),
  manifest: ajv.compile<Manifest>(manifestSchema),
};

export type FileKind = keyof typeof validators;

const describeErrors = (errors: readonly ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${String(e.params.allowedValues)})` : ''}`);

/** Schema problems of one parsed YAML document; [] when it is valid. */
export function schemaProblems(kind: FileKind, document: unknown): string[] {
  const validate = validators[kind];
  return validate(document) ? [] : describeErrors(validate.errors).map((p) => `${kind}.yaml: ${p}`);
}

const interfaceOf = (endpoint: Endpoint): string => (typeof endpoint === 'string' ? endpoint : endpoint.interface);
const scopeOf = (endpoint: Endpoint): string => (typeof endpoint === 'string' ? 'global' : endpoint.scope ?? 'global');
const isReserved = (name: string): boolean => name === 'juju' || name.startsWith('juju-');

/** Juju's metadata checks (internal/charm/meta.go) beyond the schema. */
export function metadataProblems(meta: Metadata): string[] {
  const problems: string[] = [];
  const roles = { provides: meta.provides ?? {}, requires: meta.requires ?? {}, peers: meta.peers ?? {} };
  const seen = new Map<string, string>();
  for (const [role, endpoints] of Object.entries(roles)) {
    for (const [name, endpoint] of Object.entries(endpoints)) {
      const other = seen.get(name);
      if (other) problems.push(`endpoint "${name}" is declared in both ${other} and ${role}`);
      seen.set(name, role);
      // A subordinate's container-scoped requires endpoint is the one place juju-* is allowed.
      const exempt = role === 'requires' && meta.subordinate === true && scopeOf(endpoint) === 'container';
      if (isReserved(name) && !exempt) problems.push(`endpoint "${name}": "juju" and the "juju-" prefix are reserved`);
      if (role !== 'requires' && isReserved(interfaceOf(endpoint))) {
        problems.push(`endpoint "${name}": interface "${interfaceOf(endpoint)}" is reserved for ${role}`);
      }
    }
  }
  if (meta.subordinate === true && !Object.values(roles.requires).some((e) => scopeOf(e) === 'container')) {
    problems.push(`subordinate charm "${meta.name}" lacks "requires" relation with container scope`);
  }
  return problems;
}

/** Each action's params must form a JSON schema whose required names exist and whose defaults fit. */
export function actionsProblems(actions: Actions): string[] {
  const problems: string[] = [];
  const paramsAjv = new Ajv({ allErrors: true, strict: false });
  for (const [name, spec] of Object.entries(actions)) {
    const params = spec.params ?? {};
    for (const required of spec.required ?? []) {
      if (!(required in params)) problems.push(`action "${name}": required param "${required}" is not declared`);
    }
    try {
      paramsAjv.compile({ type: 'object', properties: params, required: spec.required ?? [], additionalProperties: spec.additionalProperties ?? false });
    } catch (error) {
      problems.push(`action "${name}": params are not a valid JSON schema: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const [param, schema] of Object.entries(params)) {
      if (!('default' in schema)) continue;
      const { default: value, ...paramSchema } = schema;
      const fits = paramsAjv.validate(paramSchema, value);
      if (!fits) problems.push(`action "${name}": default of "${param}" does not match its schema`);
    }
  }
  return problems;
}

const LIFECYCLE_HOOKS = [
  'install', 'config-changed', 'start', 'stop', 'upgrade-charm', 'update-status',
  'leader-elected', 'leader-settings-changed', 'remove',
];

/** The hooks Juju may fire for this charm's lifecycle and declared endpoints (peers never get -broken). */
export function expectedHooks(meta: Metadata): string[] {
  const relationHooks = (endpoint: string, peer: boolean): string[] =>
    ['created', 'joined', 'changed', 'departed', ...(peer ? [] : ['broken'])].map((event) => `${endpoint}-relation-${event}`);
  return [
    ...LIFECYCLE_HOOKS,
    ...Object.keys(meta.provides ?? {}).flatMap((e) => relationHooks(e, false)),
    ...Object.keys(meta.requires ?? {}).flatMap((e) => relationHooks(e, false)),
    ...Object.keys(meta.peers ?? {}).flatMap((e) => relationHooks(e, true)),
  ];
}
