// The argv of every hook tool call the charm makes (contract §3), as pure functions: no process, no I/O.
// Rules: --format=json wherever the tool has it; `--` before free text (a message may start with "-");
// secret-bearing values never on argv (relation-set and state-set read them from stdin via --file -,
// secret content comes from 0600 files named by key#file=<path>).
import type { Bag, LogLevel, RelationId, SecretContent, WorkloadStatus } from './hook-tools';

export interface ToolCall {
  readonly tool: string;
  readonly args: readonly string[];
  /** written to the tool's stdin (only for --file -) */
  readonly stdin?: string;
}

const JSON_FORMAT = '--format=json';
const call = (tool: string, args: readonly string[], stdin?: string): ToolCall => (stdin === undefined ? { tool, args } : { tool, args, stdin });

/** relation-set/state-set `--file -` input: a JSON map of strings (JSON is YAML, which Juju reads). "" deletes for relation-set; state-set keeps it as "". */
const settingsInput = (changes: Bag): string => JSON.stringify(changes);

export const configGet = (): ToolCall => call('config-get', [JSON_FORMAT]);
export const networkGet = (binding: string, relationId?: RelationId): ToolCall =>
  call('network-get', [JSON_FORMAT, ...(relationId === undefined ? [] : ['-r', relationId]), binding]);

export const relationIds = (endpoint: string): ToolCall => call('relation-ids', [JSON_FORMAT, endpoint]);
export const relationList = (id: RelationId): ToolCall => call('relation-list', [JSON_FORMAT, '-r', id]);
export const relationGet = (id: RelationId, member: string, app: boolean): ToolCall =>
  call('relation-get', [JSON_FORMAT, '-r', id, ...(app ? ['--app'] : []), '-', member]);
export const relationSet = (id: RelationId, changes: Bag, app: boolean): ToolCall =>
  call('relation-set', ['-r', id, ...(app ? ['--app'] : []), '--file', '-'], settingsInput(changes));


export const statusSet = (status: WorkloadStatus, application: boolean): ToolCall =>
  call('status-set', [...(application ? ['--application'] : []), '--', status.status, status.message]);
export const statusGet = (): ToolCall => call('status-get', [JSON_FORMAT, '--include-data']);
export const applicationVersionSet = (version: string): ToolCall => call('application-version-set', ['--', version]);
export const jujuLog = (level: LogLevel, message: string): ToolCall => call('juju-log', ['--log-level', level, '--', message]);

export const stateGet = (): ToolCall => call('state-get', [JSON_FORMAT]);
export const stateSet = (changes: Bag): ToolCall => call('state-set', ['--file', '-'], settingsInput(changes));
export const stateDelete = (key: string): ToolCall => call('state-delete', ['--', key]);

export const storageList = (name: string): ToolCall => call('storage-list', [JSON_FORMAT, name]);
export const storageGet = (id: string): ToolCall => call('storage-get', [JSON_FORMAT, '-s', id]);
export const resourceGet = (name: string): ToolCall => call('resource-get', [name]);

export const actionGet = (): ToolCall => call('action-get', [JSON_FORMAT]);
export const actionSet = (results: Readonly<Record<string, unknown>>): ToolCall =>
  call('action-set', flattenResults(results).map(([k, v]) => `${k}=${v}`));
export const actionFail = (message: string): ToolCall => call('action-fail', ['--', message]);
export const actionLog = (message: string): ToolCall => call('action-log', ['--', message]);


/** Content arguments for secret-add/secret-set: each value sits in its own 0600 file, never on argv. */
const contentArgs = (files: Readonly<Record<string, string>>): string[] => Object.entries(files).map(([key, path]) => `${key}#file=${path}`);

export interface SecretMeta {
  readonly label?: string;
  readonly description?: string;
}
const metaArgs = (meta: SecretMeta): string[] => [
  ...(meta.label === undefined ? [] : ['--label', meta.label]),
  ...(meta.description === undefined ? [] : ['--description', meta.description]),
];

export const secretAdd = (contentFiles: Readonly<Record<string, string>>, opts: SecretMeta & { owner?: 'unit' | 'application' }): ToolCall =>
  call('secret-add', [...(opts.owner === undefined ? [] : ['--owner', opts.owner]), ...metaArgs(opts), ...contentArgs(contentFiles)]);
export const secretSet = (id: string, contentFiles: Readonly<Record<string, string>>): ToolCall => call('secret-set', [id, ...contentArgs(contentFiles)]);

/** secret-get by URI, by label, or by URI while (re)setting a consumer label. */
export const secretGet = (ref: { id?: string; label?: string }, opts: { peek?: boolean; refresh?: boolean }): ToolCall =>
  call('secret-get', [
    JSON_FORMAT,
    ...secretRef(ref),
    ...(opts.peek ? ['--peek'] : []),
    ...(opts.refresh ? ['--refresh'] : []),
  ]);
export const secretInfoGet = (ref: { id?: string; label?: string }): ToolCall =>
  // secret-info-get takes a URI or a label, not both
  call('secret-info-get', [JSON_FORMAT, ...(ref.id !== undefined ? [ref.id] : secretRef(ref))]);
export const secretIds = (): ToolCall => call('secret-ids', [JSON_FORMAT]);

function secretRef(ref: { id?: string; label?: string }): string[] {
  if (ref.id === undefined && ref.label === undefined) throw new TypeError('a secret needs an id or a label');
  return [...(ref.id === undefined ? [] : [ref.id]), ...(ref.label === undefined ? [] : ['--label', ref.label])];
}

/** action-set takes `a.b=value`: nested maps become dotted keys; other non-strings are JSON text. */
export function flattenResults(results: Readonly<Record<string, unknown>>, prefix = ''): Array<[string, string]> {
  return Object.entries(results).flatMap(([key, value]): Array<[string, string]> => {
    const path = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return flattenResults(value as Record<string, unknown>, `${path}.`);
    return [[path, typeof value === 'string' ? value : JSON.stringify(value) ?? '']];
  });
}

/** Validates secret content before any file is written: Juju's key rule, string values, at least one key. */
export function checkSecretContent(content: SecretContent): void {
  const keys = Object.keys(content);
  if (keys.length === 0) throw new TypeError('secret content is empty');
  for (const key of keys) {
    if (!/^[a-z](?:-?[a-z0-9]){2,}$/.test(key)) throw new TypeError(`secret content key "${key}" is not valid (lowercase letters, digits and single dashes; at least 3 characters)`);
    if (typeof content[key] !== 'string') throw new TypeError(`secret content value for "${key}" is not a string`);
  }
}
