// action-get, action-set, action-fail, action-log (contract §3.8); outside an action each fails
// with `not running an action` (1).

import { quote, usageError } from './errors';
import { checkNoMoreArgs } from './flags';
import type { Printable } from './format';
import type { ToolDef } from './tool';

const KEY_PART = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const RESERVED = new Set(['stdout', 'stdout-encoding', 'stderr', 'stderr-encoding']);

function toPrintable(value: unknown): Printable {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toPrintable);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPrintable(v)]));
  return String(value);
}

export const actionGet: ToolDef = {
  name: 'action-get',
  usage: '[<key>[.<key>.<key>...]]',
  purpose: 'Get action parameters.',
  flags: [],
  formats: { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' },
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    let value: unknown = ctx.action().params;
    const key = parsed.positionals[0];
    if (key === undefined || key === '') return toPrintable(value);
    for (const part of key.split('.')) {
      value = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
    }
    return toPrintable(value);
  },
};

function parseResult(arg: string): { path: string[]; value: string } {
  const eq = arg.indexOf('=');
  if (eq === -1) throw usageError(`argument ${quote(arg)} must be of the form key...=value`);
  const key = arg.slice(0, eq);
  const path = key.split('.');
  for (const part of path) {
    if (!KEY_PART.test(part)) {
      throw usageError(`key ${quote(part)} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods`);
    }
  }
  if (RESERVED.has(path[0] as string)) throw usageError(`cannot set reserved action key ${quote(path[0] as string)}`);
  return { path, value: arg.slice(eq + 1) };
}

export const actionSet: ToolDef = {
  name: 'action-set',
  usage: '<key>=<value> [<key>=<value> ...]',
  purpose: 'Set action results.',
  flags: [],
  init(parsed) {
    if (parsed.positionals.length === 0) throw usageError('no key=value pairs specified');
    parsed.positionals.forEach(parseResult);
  },
  run(ctx, { parsed }) {
    ctx.action();
    for (const { path, value } of parsed.positionals.map(parseResult)) ctx.setActionResult(path, value);
    return undefined;
  },
};

export const actionFail: ToolDef = {
  name: 'action-fail',
  usage: '["<failure message>"]',
  purpose: 'Set action fail status with message.',
  flags: [],
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    ctx.failAction(parsed.positionals[0] ?? 'action failed without reason given, check action for errors');
    return undefined;
  },
};

export const actionLog: ToolDef = {
  name: 'action-log',
  usage: '<message>',
  purpose: 'Record a progress message for the current action.',
  flags: [],
  init(parsed) {
    if (parsed.positionals.length === 0) throw usageError('no message specified');
  },
  run(ctx, { parsed }) {
    ctx.logAction(parsed.positionals.join(' '));
    return undefined;
  },
};
