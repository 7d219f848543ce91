// leader-get, leader-set (contract §3.5): leader settings are immediate, leader-only writes.

import { quote, usageError } from './errors';
import { checkNoMoreArgs } from './flags';
import { parseKeyValues, type ToolDef } from './tool';

export const leaderGet: ToolDef = {
  name: 'leader-get',
  usage: '[<key>]',
  purpose: 'Print application leadership settings.',
  flags: [],
  formats: { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' },
  init(parsed) {
    const [key, ...rest] = parsed.positionals;
    if (key !== undefined && key.includes('=')) throw usageError(`invalid key ${quote(key)}`);
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const settings = { ...ctx.application().leaderSettings };
    const key = parsed.positionals[0];
    if (key === undefined || key === '-') return settings;
    return settings[key] ?? null;
  },
};

export const leaderSet: ToolDef = {
  name: 'leader-set',
  usage: '<key>=<value> [...]',
  purpose: 'Write application leadership settings.',
  flags: [],
  init(parsed) {
    parseKeyValues(parsed.positionals);
  },
  run(ctx, { parsed }) {
    ctx.setLeaderSettings(parseKeyValues(parsed.positionals));
    return undefined;
  },
};
