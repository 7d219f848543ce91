// secret-add, secret-get, secret-set, secret-grant, secret-revoke, secret-remove, secret-ids,
// secret-info-get (contract §3.9, §4.11). Every change is pending until the hook commits.

import YAML from 'yaml';
import type { Bag, SecretRecord } from '../model/types';
import { quote, runError, usageError } from './errors';
import { boolFlag, checkNoMoreArgs, type FlagSpec, type ParsedArgs, stringFlag } from './flags';
import type { Printable } from './format';
import type { HookContext } from './hook-context';
import type { SecretMetadata } from './secret-store';
import { parseSettingsFile, RELATION_FLAG, resolveRelation, type ToolCall, type ToolDef } from './tool';

const CONTENT_KEY = /^[a-z](?:-?[a-z0-9]){2,}$/;
const ROTATE_POLICIES = ['never', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const yamlFormats: NonNullable<ToolDef['formats']> = { allowed: ['yaml', 'json'], fallback: 'yaml' };

const METADATA_FLAGS: FlagSpec[] = [
  { name: 'label', kind: 'string', help: 'a label used to identify the secret in hooks' },
  { name: 'description', kind: 'string', help: 'the secret description' },
  { name: 'expire', kind: 'string', help: 'either a duration or time when the secret should expire' },
  { name: 'rotate', kind: 'string', help: 'the secret rotation policy' },
  { name: 'file', kind: 'string', help: 'a YAML file containing secret key values' },
];

const SECRET_URI = /^(?:secret:(?:\/\/[0-9a-f-]+\/)?)?[0-9a-v]{20}$/;

/** Juju's secrets.ParseURI check, done in Init: a malformed URI is a usage error. */
function checkSecretUri(uri: string | undefined): void {
  if (uri !== undefined && !SECRET_URI.test(uri)) throw usageError(`secret URI ${quote(uri)} not valid`);
}

interface ContentArg {
  key: string;
  value?: string;
  base64?: boolean;
  file?: string;
}

function parseContentArgs(args: readonly string[]): ContentArg[] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq === -1) throw usageError(`expected "key=value", got ${quote(arg)}`);
    const [key = '', suffix] = arg.slice(0, eq).split('#');
    if (!CONTENT_KEY.test(key)) throw usageError(`key ${quote(key)} not valid`);
    const value = arg.slice(eq + 1);
    if (suffix === 'file') return { key, file: value };
    if (suffix === 'base64') return { key, value, base64: true };
    if (suffix !== undefined) throw usageError(`key ${quote(arg.slice(0, eq))} not valid`);
    return { key, value };
  });
}

function contentInputs(parsed: ParsedArgs, contentArgs: readonly string[]): string[] {
  const file = stringFlag(parsed, 'file');
  const files = parseContentArgs(contentArgs).flatMap((c) => (c.file === undefined ? [] : [c.file]));
  return file === undefined ? files : [file, ...files];
}

function readContent(call: ToolCall, contentArgs: readonly string[]): Bag {
  const content: Bag = {};
  const file = stringFlag(call.parsed, 'file');
  if (file !== undefined) {
    for (const [key, value] of parseSettingsFile(call.input(file), (t) => YAML.parse(t))) {
      if (!CONTENT_KEY.test(key.replace(/#base64$/, ''))) throw usageError(`key ${quote(key)} not valid`);
      if (key.endsWith('#base64')) content[key.slice(0, -'#base64'.length)] = Buffer.from(value, 'base64').toString('utf8');
      else content[key] = value;
    }
  }
  for (const arg of parseContentArgs(contentArgs)) {
    if (arg.file !== undefined) content[arg.key] = call.input(arg.file);
    else if (arg.base64) content[arg.key] = Buffer.from(arg.value ?? '', 'base64').toString('utf8');
    else content[arg.key] = arg.value ?? '';
  }
  return content;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const RFC3339_NO_TZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** Juju's --expire: an RFC3339 time, the same without a zone (UTC), or a positive Go duration from now. */
function parseExpire(text: string, now: Date): string {
  if (RFC3339.test(text) || RFC3339_NO_TZ.test(text)) {
    const time = Date.parse(RFC3339_NO_TZ.test(text) ? `${text}Z` : text);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  const negative = text.startsWith('-');
  const body = text.replace(/^[-+]/, '');
  if (!GO_DURATION.test(body)) throw usageError(`expire time or duration ${quote(text)} not valid`);
  let ms = 0;
  for (const [, n, unit] of body.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * (DURATION_UNIT_MS[unit as string] ?? 0);
  if (negative || ms <= 0) throw usageError(`negative expire duration ${quote(text)} not valid`);
  return new Date(now.getTime() + ms).toISOString();
}

function checkMetadataFlags(parsed: ParsedArgs): void {
  const rotate = stringFlag(parsed, 'rotate');
  if (rotate !== undefined && !ROTATE_POLICIES.includes(rotate)) throw usageError(`rotate policy ${quote(rotate)} not valid`);
  const expire = stringFlag(parsed, 'expire');
  if (expire !== undefined) parseExpire(expire, new Date());
}

function metadataFrom(parsed: ParsedArgs, now: Date): SecretMetadata {
  const meta: SecretMetadata = {};
  const label = stringFlag(parsed, 'label');
  const description = stringFlag(parsed, 'description');
  const expire = stringFlag(parsed, 'expire');
  const rotate = stringFlag(parsed, 'rotate');
  if (label !== undefined) meta.label = label;
  if (description !== undefined) meta.description = description;
  if (expire !== undefined) meta.expire = parseExpire(expire, now);
  if (rotate !== undefined) meta.rotate = rotate;
  return meta;
}

export const secretAdd: ToolDef = {
  name: 'secret-add',
  usage: '[key[#base64|#file]=value...]',
  purpose: 'Add a new secret.',
  flags: [...METADATA_FLAGS, { name: 'owner', kind: 'string', help: 'the owner of the secret, either the application or unit' }],
  inputs: (parsed) => contentInputs(parsed, parsed.positionals),
  init(parsed) {
    if (parsed.positionals.length === 0 && stringFlag(parsed, 'file') === undefined) throw usageError('missing secret value or filename');
    parseContentArgs(parsed.positionals);
    const owner = stringFlag(parsed, 'owner') ?? 'application';
    if (owner !== 'application' && owner !== 'unit') throw usageError(`secret owner ${quote(owner)} not valid`);
    checkMetadataFlags(parsed);
  },
  run(ctx, call) {
    const content = readContent(call, call.parsed.positionals);
    if (Object.keys(content).length === 0) throw runError('empty secret value not valid');
    const owner = (stringFlag(call.parsed, 'owner') ?? 'application') as 'application' | 'unit';
    return ctx.secrets.add(owner, content, metadataFrom(call.parsed, ctx.now()));
  },
};

function findByUriOrLabel(ctx: HookContext, parsed: ParsedArgs): SecretRecord {
  const uri = parsed.positionals[0];
  const label = stringFlag(parsed, 'label');
  return ctx.secrets.find(uri, uri === undefined ? label : undefined);
}

export const secretGet: ToolDef = {
  name: 'secret-get',
  usage: '<ID> [key[#base64]]',
  purpose: 'Get the content of a secret.',
  flags: [
    { name: 'label', kind: 'string', help: 'a label used to identify the secret in hooks' },
    { name: 'peek', kind: 'bool', help: 'get the latest revision just this time' },
    { name: 'refresh', kind: 'bool', help: 'get the latest revision and also get this same revision for subsequent calls' },
  ],
  formats: yamlFormats,
  init(parsed) {
    const [uri, , ...rest] = parsed.positionals;
    checkSecretUri(uri);
    if (uri === undefined && stringFlag(parsed, 'label') === undefined) throw usageError('require either a secret URI or label');
    if (boolFlag(parsed, 'peek') && boolFlag(parsed, 'refresh')) throw usageError('specify one of --peek or --refresh but not both');
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const secret = findByUriOrLabel(ctx, parsed);
    const uri = parsed.positionals[0];
    const content = ctx.secrets.get(secret, {
      peek: boolFlag(parsed, 'peek'),
      refresh: boolFlag(parsed, 'refresh'),
      label: uri === undefined ? undefined : stringFlag(parsed, 'label'),
    });
    const key = parsed.positionals[1];
    if (key === undefined) return content;
    const base64 = key.endsWith('#base64');
    const name = base64 ? key.slice(0, -'#base64'.length) : key;
    const value = content[name];
    if (value === undefined) throw runError(`secret key value ${quote(name)} not found`);
    return base64 ? Buffer.from(value, 'utf8').toString('base64') : value;
  },
};

export const secretSet: ToolDef = {
  name: 'secret-set',
  usage: '<ID> [key[#base64|#file]=value...]',
  purpose: 'Update an existing secret.',
  flags: METADATA_FLAGS,
  inputs: (parsed) => contentInputs(parsed, parsed.positionals.slice(1)),
  init(parsed) {
    if (parsed.positionals[0] === undefined) throw usageError('missing secret URI');
    checkSecretUri(parsed.positionals[0]);
    parseContentArgs(parsed.positionals.slice(1));
    checkMetadataFlags(parsed);
  },
  run(ctx, call) {
    const secret = ctx.secrets.find(call.parsed.positionals[0], undefined);
    ctx.secrets.requireManage(secret);
    const contentArgs = call.parsed.positionals.slice(1);
    if (contentArgs.length > 0 || stringFlag(call.parsed, 'file') !== undefined) {
      const content = readContent(call, contentArgs);
      if (Object.keys(content).length === 0) throw runError('empty secret value not valid');
      ctx.secrets.setContent(secret, content);
    }
    const meta = metadataFrom(call.parsed, ctx.now());
    if (Object.keys(meta).length > 0) ctx.secrets.setMetadata(secret, meta);
    return undefined;
  },
};

export const secretGrant: ToolDef = {
  name: 'secret-grant',
  usage: '<ID>',
  purpose: 'Grant access to a secret.',
  flags: [RELATION_FLAG, { name: 'unit', kind: 'string', help: 'the unit to grant access' }],
  init(parsed) {
    const [uri, ...rest] = parsed.positionals;
    if (uri === undefined) throw usageError('missing secret URI');
    checkSecretUri(uri);
    if (!parsed.values.has('relation')) throw usageError('missing relation');
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const secret = ctx.secrets.find(parsed.positionals[0], undefined);
    const relation = resolveRelation(ctx, parsed);
    const remoteApp = ctx.relations.remoteApp(relation);
    const unit = stringFlag(parsed, 'unit');
    if (unit !== undefined && unit.slice(0, unit.indexOf('/')) !== remoteApp) {
      throw usageError(`cannot specify unit ${quote(unit)} in relation to application ${quote(remoteApp)}`);
    }
    ctx.secrets.grant(secret, relation.id, unit ?? remoteApp, unit === undefined ? 'application' : 'unit');
    return undefined;
  },
};

export const secretRevoke: ToolDef = {
  name: 'secret-revoke',
  usage: '<ID>',
  purpose: 'Revoke access to a secret.',
  flags: [
    RELATION_FLAG,
    { name: 'app', aliases: ['application'], kind: 'string', help: 'the application to revoke access' },
    { name: 'unit', kind: 'string', help: 'the unit to revoke access' },
  ],
  init(parsed) {
    const [uri, ...rest] = parsed.positionals;
    if (uri === undefined) throw usageError('missing secret URI');
    checkSecretUri(uri);
    if (!['relation', 'app', 'unit'].some((f) => parsed.values.has(f))) throw usageError('missing relation or application or unit');
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const secret = ctx.secrets.find(parsed.positionals[0], undefined);
    const relationId = parsed.values.has('relation') ? resolveRelation(ctx, parsed).id : undefined;
    const app = stringFlag(parsed, 'app');
    const unit = stringFlag(parsed, 'unit');
    ctx.secrets.revoke(
      secret,
      (g) =>
        (relationId === undefined || g.relationId === relationId) &&
        (app === undefined || (g.scope === 'application' && g.target === app)) &&
        (unit === undefined || (g.scope === 'unit' && g.target === unit)),
    );
    return undefined;
  },
};

export const secretRemove: ToolDef = {
  name: 'secret-remove',
  usage: '<ID>',
  purpose: 'Remove an existing secret.',
  flags: [{ name: 'revision', kind: 'string', help: 'remove the specified revision' }],
  init(parsed) {
    const [uri, ...rest] = parsed.positionals;
    if (uri === undefined) throw usageError('missing secret URI');
    checkSecretUri(uri);
    const revision = stringFlag(parsed, 'revision');
    if (revision !== undefined && !/^[1-9]\d*$/.test(revision)) throw usageError(`invalid value ${quote(revision)} for option --revision: invalid syntax`);
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const secret = ctx.secrets.find(parsed.positionals[0], undefined);
    const revision = stringFlag(parsed, 'revision');
    ctx.secrets.remove(secret, revision === undefined ? undefined : Number(revision));
    return undefined;
  },
};

export const secretIds: ToolDef = {
  name: 'secret-ids',
  usage: '',
  purpose: 'Print secret IDs.',
  flags: [],
  formats: { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' },
  init(parsed) {
    checkNoMoreArgs(parsed.positionals);
  },
  run(ctx) {
    return ctx.secrets.ownedIds();
  },
};

function infoOf(ctx: HookContext, secret: SecretRecord): Printable {
  const info: { [key: string]: Printable } = {
    revision: secret.revisions[secret.revisions.length - 1]?.revision ?? 0,
    label: secret.label ?? '',
    owner: secret.owner.kind,
  };
  if (secret.description) info.description = secret.description;
  if (secret.expire) info.expiry = secret.expire;
  if (secret.rotate) info.rotation = secret.rotate;
  const access = secret.grants
    .filter((g) => ctx.model().relations[String(g.relationId)] !== undefined)
    .map((g) => ({ target: g.target, scope: `relation-${g.relationId}`, role: 'view' }));
  if (access.length > 0) info.access = access;
  return { [secret.id.slice('secret:'.length)]: info };
}

export const secretInfoGet: ToolDef = {
  name: 'secret-info-get',
  usage: '<ID>',
  purpose: 'Get a secret’s metadata info.',
  flags: [{ name: 'label', kind: 'string', help: 'a label used to identify the secret' }],
  formats: yamlFormats,
  init(parsed) {
    const [uri, ...rest] = parsed.positionals;
    checkSecretUri(uri);
    const label = stringFlag(parsed, 'label');
    if (uri === undefined && label === undefined) throw usageError('require either a secret URI or label');
    if (uri !== undefined && label !== undefined) throw usageError('specify either a secret URI or label but not both');
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    // like Juju, only the secrets this unit owns are searched: others are simply not found
    const uri = parsed.positionals[0];
    const wanted = uri === undefined ? (stringFlag(parsed, 'label') ?? '') : uri.replace(/^secret:(\/\/[^/]*\/)?/, '');
    const secret = ctx.secrets
      .ownedIds()
      .map((id) => ctx.secrets.find(id, undefined))
      .find((s) => (uri === undefined ? s.label === wanted : s.id === `secret:${wanted}`));
    if (!secret) throw runError(`secret ${quote(wanted)} not found`);
    return infoOf(ctx, secret);
  },
};
