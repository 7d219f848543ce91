// relation-ids, relation-list, relation-get, relation-set (contract §3.3, §4.7).

import YAML from 'yaml';
import { quote, usageError } from './errors';
import { boolFlag, checkNoMoreArgs, type ParsedArgs, stringFlag } from './flags';
import type { HookContext } from './hook-context';
import { parseKeyValues, parseSettingsFile, RELATION_FLAG, resolveRelation, type ToolDef } from './tool';

const formats: NonNullable<ToolDef['formats']> = { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' };
const APP_FLAG = { name: 'app', kind: 'bool' as const, help: 'use the application bag / list the remote application' };
const UNIT_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*\/\d+$/;
const APP_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

function hookEndpoint(ctx: HookContext): string | undefined {
  const id = ctx.hookRelationId();
  const relation = id === undefined ? undefined : ctx.relations.byId(id);
  return relation ? ctx.relations.endpoint(relation) : undefined;
}

export const relationIds: ToolDef = {
  name: 'relation-ids',
  usage: '<name>',
  purpose: 'List all relation ids for the given endpoint.',
  flags: [],
  formats,
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    const endpoint = parsed.positionals[0] ?? hookEndpoint(ctx);
    if (endpoint === undefined) throw usageError('no endpoint name specified');
    return ctx.relations
      .visible()
      .filter((r) => ctx.relations.endpoint(r) === endpoint)
      .map((r) => ctx.relations.idString(r))
      .sort();
  },
};

export const relationList: ToolDef = {
  name: 'relation-list',
  usage: '[-r <id>] [--app]',
  purpose: 'List relation units.',
  flags: [RELATION_FLAG, APP_FLAG],
  formats,
  init(parsed) {
    checkNoMoreArgs(parsed.positionals);
  },
  run(ctx, { parsed }) {
    const relation = resolveRelation(ctx, parsed);
    if (boolFlag(parsed, 'app')) return ctx.relations.remoteApp(relation);
    return ctx.relations.members(relation);
  },
};

/** Which bag relation-get reads: an explicit unit or app, else the remote unit, else the remote app. */
function target(ctx: HookContext, given: string | undefined, app: boolean): { owner: string; isApp: boolean } {
  const event = ctx.event.kind === 'hook' ? ctx.event : undefined;
  if (given !== undefined) {
    if (given.includes('/')) {
      if (!UNIT_NAME.test(given)) throw usageError(`invalid unit name ${quote(given)}`);
      return app ? { owner: given.slice(0, given.indexOf('/')), isApp: true } : { owner: given, isApp: false };
    }
    if (!app) {
      if (APP_NAME.test(given)) throw usageError(`expected unit name, got application name ${quote(given)}`);
      throw usageError(`invalid unit name ${quote(given)}`);
    }
    if (!APP_NAME.test(given)) throw usageError(`invalid application name ${quote(given)}`);
    return { owner: given, isApp: true };
  }
  const remoteUnit = event?.remoteUnit ?? '';
  if (remoteUnit !== '') return app ? { owner: remoteUnit.slice(0, remoteUnit.indexOf('/')), isApp: true } : { owner: remoteUnit, isApp: false };
  const remoteApp = event?.remoteApp ?? '';
  if (remoteApp !== '') return { owner: remoteApp, isApp: true };
  throw usageError('no unit or application specified');
}

export const relationGet: ToolDef = {
  name: 'relation-get',
  usage: '<key> <unit id>',
  purpose: 'Get relation settings.',
  flags: [RELATION_FLAG, APP_FLAG],
  formats,
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(2));
  },
  run(ctx, { parsed }) {
    const relation = resolveRelation(ctx, parsed);
    const [key, given] = parsed.positionals;
    const { owner, isApp } = target(ctx, given, boolFlag(parsed, 'app'));
    const bag = ctx.relations.read(relation, owner, isApp);
    if (key === undefined || key === '-') return bag;
    return bag[key] ?? null;
  },
};

function settingsFile(parsed: ParsedArgs): string | undefined {
  return stringFlag(parsed, 'file');
}

export const relationSet: ToolDef = {
  name: 'relation-set',
  usage: 'key=value [key=value ...]',
  purpose: 'Set relation settings.',
  flags: [
    RELATION_FLAG,
    APP_FLAG,
    { name: 'file', kind: 'string', help: 'file containing key-value pairs ("-" for stdin)' },
    { name: 'format', kind: 'string', help: 'deprecated format flag' },
  ],
  inputs(parsed) {
    const file = settingsFile(parsed);
    return file === undefined ? [] : [file];
  },
  init(parsed) {
    parseKeyValues(parsed.positionals);
  },
  run(ctx, call) {
    if (stringFlag(call.parsed, 'format')) call.warn('--format flag deprecated for command "relation-set"');
    const relation = resolveRelation(ctx, call.parsed);
    const file = settingsFile(call.parsed);
    const changes = file === undefined ? new Map<string, string>() : parseSettingsFile(call.input(file), (t) => YAML.parse(t, { version: '1.1' }));
    for (const [key, value] of parseKeyValues(call.parsed.positionals)) changes.set(key, value);
    if (changes.size === 0 && file === undefined) return undefined;
    ctx.relations.write(relation, boolFlag(call.parsed, 'app'), changes);
    return undefined;
  },
};
