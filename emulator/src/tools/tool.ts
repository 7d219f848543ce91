// The shape of one hook tool and helpers the tools share: key=value parsing and -r resolution.

import type { RelationRecord } from '../model/types';
import { quote, runError, usageError } from './errors';
import type { FlagSpec, ParsedArgs } from './flags';
import { stringFlag } from './flags';
import type { FormatName, Printable } from './format';
import type { HookContext } from './hook-context';

export interface ToolCall {
  parsed: ParsedArgs;
  format: FormatName;
  /** the content of an input the tool asked for through `inputs` ("-" = stdin); a read failure throws */
  input(path: string): string;
  /** text for stderr on success (deprecation notices) */
  warn(text: string): void;
}

export interface ToolDef {
  name: string;
  usage: string;
  purpose: string;
  flags: FlagSpec[];
  /** output formats and the default; tools without it print smart-formatted text */
  formats?: { allowed: FormatName[]; fallback: FormatName };
  /** files the client must send before run() ("-" = stdin): only these are ever read */
  inputs?(parsed: ParsedArgs): string[];
  /** validation that needs no model (Init); throw usageError */
  init?(parsed: ParsedArgs): void;
  run(ctx: HookContext, call: ToolCall): Printable | undefined;
}

export const RELATION_FLAG: FlagSpec = { name: 'relation', aliases: ['r'], kind: 'string', help: 'Specify a relation by id' };

/** Resolves `-r <endpoint>:<id>|<id>`, defaulting to the hook's relation; bad values are usage errors (2). */
export function resolveRelation(ctx: HookContext, parsed: ParsedArgs): RelationRecord {
  const raw = stringFlag(parsed, 'relation');
  const flag = parsed.spelling.get('relation') ?? '-r';
  if (raw === undefined) {
    const id = ctx.hookRelationId();
    const relation = id === undefined ? undefined : ctx.relations.byId(id);
    if (!relation) throw usageError('no relation id specified');
    return relation;
  }
  const match = /^(?:(.+):)?(\d+)$/.exec(raw.trim());
  if (!match) throw usageError(`invalid value ${quote(raw)} for option ${flag}: invalid relation id`);
  const relation = ctx.relations.byId(Number(match[2]));
  if (!relation || (match[1] !== undefined && match[1] !== ctx.relations.endpoint(relation))) {
    throw usageError(`invalid value ${quote(raw)} for option ${flag}: relation not found`);
  }
  return relation;
}

/** juju/utils keyvalues.Parse: split at the first "=", trim both sides, no empty keys, no repeats. */
export function parseKeyValues(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq === -1 ? '' : arg.slice(0, eq).trim();
    if (eq === -1 || key === '') throw usageError(`expected "key=value", got ${quote(arg)}`);
    if (out.has(key)) throw usageError(`key ${quote(key)} specified more than once`);
    out.set(key, arg.slice(eq + 1).trim());
  }
  return out;
}

/** A YAML (or JSON) map of strings from `--file`; null values delete, scalars become strings. */
export function parseSettingsFile(text: string, parse: (text: string) => unknown): Map<string, string> {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw runError(`cannot parse settings file: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const out = new Map<string, string>();
  if (data === null || data === undefined) return out;
  if (typeof data !== 'object' || Array.isArray(data)) throw runError('expected a map of settings in the file');
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (value === null) out.set(key, '');
    else if (typeof value === 'object') throw runError(`expected string value for key ${quote(key)}`);
    else out.set(key, String(value));
  }
  return out;
}
