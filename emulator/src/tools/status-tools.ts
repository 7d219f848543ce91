// status-set, status-get, application-version-set, juju-log (contract §3.4): all immediate.

import type { LogLevel, WorkloadStatus } from '../model/types';
import { quote, runError, usageError } from './errors';
import { boolFlag, checkNoMoreArgs, stringFlag } from './flags';
import type { FormatName, Printable } from './format';
import type { HookContext } from './hook-context';
import type { ToolDef } from './tool';

const SETTABLE = ['maintenance', 'blocked', 'waiting', 'active'] as const;

export const statusSet: ToolDef = {
  name: 'status-set',
  usage: '<maintenance | blocked | waiting | active> [message]',
  purpose: 'Set status information.',
  flags: [{ name: 'application', kind: 'bool', help: 'set this status for the application to which the unit belongs' }],
  init(parsed) {
    const [status, , ...rest] = parsed.positionals;
    if (status === undefined) throw usageError('invalid args, require <status> [message]');
    if (!SETTABLE.some((s) => s === status)) throw usageError(`invalid status ${quote(status)}, expected one of [${SETTABLE.join(' ')}]`);
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    const status = parsed.positionals[0] as WorkloadStatus['status'];
    const message = parsed.positionals[1] ?? '';
    if (boolFlag(parsed, 'application')) {
      if (!ctx.isLeader()) throw runError('this unit is not the leader');
      ctx.setApplicationStatus(status, message);
    } else {
      ctx.setUnitStatus(status, message);
    }
    return undefined;
  },
};

/** Juju's toDetails: message and status-data only with --include-data. */
function details(status: WorkloadStatus | null, includeData: boolean): { [key: string]: Printable } {
  const out: { [key: string]: Printable } = { status: status?.status ?? 'unknown' };
  if (includeData) {
    out.message = status?.message ?? '';
    out['status-data'] = {};
  }
  return out;
}

function applicationStatus(ctx: HookContext, includeData: boolean, format: FormatName): Printable {
  if (!ctx.isLeader()) throw runError('finding application status: this unit is not the leader');
  const app = ctx.application();
  if (!includeData && format === 'smart') return app.status?.status ?? 'unknown';
  const units: { [key: string]: Printable } = {};
  for (const unit of Object.values(ctx.model().units)) {
    if (unit.app === app.name) units[unit.name] = details(unit.workloadStatus, includeData);
  }
  return { 'application-status': { ...details(app.status, includeData), units } };
}

export const statusGet: ToolDef = {
  name: 'status-get',
  usage: '[--include-data] [--application]',
  purpose: 'Print status information.',
  flags: [
    { name: 'include-data', kind: 'bool', help: 'print all status data' },
    { name: 'application', kind: 'bool', help: 'print status for all units of this application (leader only)' },
  ],
  formats: { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' },
  init(parsed) {
    checkNoMoreArgs(parsed.positionals);
  },
  run(ctx, { parsed, format }) {
    const includeData = boolFlag(parsed, 'include-data');
    if (boolFlag(parsed, 'application')) return applicationStatus(ctx, includeData, format);
    const status = ctx.unit().workloadStatus;
    if (format === 'smart' && !includeData) return status.status;
    return details(status, includeData);
  },
};

export const applicationVersionSet: ToolDef = {
  name: 'application-version-set',
  usage: '<new-version>',
  purpose: 'Specify which version of the application is deployed.',
  flags: [],
  init(parsed) {
    const [version, ...rest] = parsed.positionals;
    if (version === undefined) throw usageError('no version specified');
    checkNoMoreArgs(rest);
  },
  run(ctx, { parsed }) {
    ctx.setWorkloadVersion(parsed.positionals[0] as string);
    return undefined;
  },
};

const LEVELS: Record<string, LogLevel> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARNING',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  CRITICAL: 'CRITICAL',
};

export const jujuLog: ToolDef = {
  name: 'juju-log',
  usage: '<message>',
  purpose: 'Write a message to the juju log.',
  flags: [
    { name: 'debug', kind: 'bool', help: 'log at debug level' },
    { name: 'log-level', aliases: ['l'], kind: 'string', help: 'Send log message at the given level' },
    { name: 'format', kind: 'string', help: 'deprecated format flag' },
  ],
  init(parsed) {
    if (parsed.positionals.length === 0) throw usageError('no message specified');
  },
  run(ctx, { parsed, warn }) {
    if (stringFlag(parsed, 'format')) warn('--format flag deprecated for command "juju-log"');
    // --debug wins over --log-level, as in Juju
    const requested = boolFlag(parsed, 'debug') ? 'DEBUG' : (stringFlag(parsed, 'log-level') ?? 'INFO');
    let level = LEVELS[requested.toUpperCase()];
    if (level === undefined) {
      ctx.log('WARNING', `Specified log level of ${quote(requested)} is not valid`);
      level = 'INFO';
    }
    const id = ctx.hookRelationId();
    const relation = id === undefined ? undefined : ctx.relations.byId(id);
    const prefix = relation ? `${ctx.relations.idString(relation)}: ` : '';
    ctx.log(level, `${prefix}${parsed.positionals.join(' ')}`);
    return undefined;
  },
};
