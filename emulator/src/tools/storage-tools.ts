// storage-list, storage-get (contract §3.10): the storage Juju attached to this unit.

import type { StorageRecord } from '../model/types';
import { quote, runError, usageError } from './errors';
import { checkNoMoreArgs, stringFlag } from './flags';
import type { HookContext } from './hook-context';
import type { ToolDef } from './tool';

const formats: NonNullable<ToolDef['formats']> = { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' };

function attachedTo(ctx: HookContext): StorageRecord[] {
  // a detaching instance is still attached while its -storage-detaching hook runs
  return Object.values(ctx.model().storage ?? {}).filter((s) => s.unit === ctx.unitName && s.life !== 'detached');
}

export const storageList: ToolDef = {
  name: 'storage-list',
  usage: '[<storage-name>] [--format]',
  purpose: 'List storage attached to the unit.',
  flags: [],
  formats,
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    const name = parsed.positionals[0];
    const ids = attachedTo(ctx).filter((s) => name === undefined || s.name === name).map((s) => s.id);
    return ids.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  },
};

export const storageGet: ToolDef = {
  name: 'storage-get',
  usage: '[-s <storage-id>] [<key>] [--format]',
  purpose: 'Print information for the storage instance with the specified id.',
  flags: [{ name: 'storage', aliases: ['s'], kind: 'string', help: 'specify a storage instance by id' }],
  formats,
  init(parsed) {
    const [key, ...rest] = parsed.positionals;
    if (key !== undefined && key !== 'kind' && key !== 'location') throw runError(`invalid storage attribute ${quote(key)}`);
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const event = ctx.event;
    const id = stringFlag(parsed, 'storage') ?? (event.kind === 'hook' ? event.storageId : undefined);
    if (id === undefined) throw usageError('no storage instance specified');
    const record = attachedTo(ctx).find((s) => s.id === id);
    if (!record) throw usageError(`invalid value ${quote(id)} for option -s: storage instance ${quote(id)} not found`);
    const key = parsed.positionals[0];
    if (key === 'kind') return record.kind;
    if (key === 'location') return record.location;
    return { kind: record.kind, location: record.location };
  },
};
