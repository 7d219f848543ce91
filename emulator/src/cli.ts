#!/usr/bin/env node
// juju-emulator <command>: the model from the shell. Each command loads the model's state, acts,
// runs the resulting hooks to completion (unless --no-settle) and saves the state.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { builtinCharm, Model, ModelError, parseStorageDirective } from './index';
import { loadCharm } from './model/charm-loader';
import type { RunOutcome } from './agent/hook-runner';
import { coerceConfigValue, effectiveConfig, parseRunCommand } from './model/params';
import { getApp } from './model/operations';
import type { ConfigOptionMeta, ConfigValue } from './model/types';

class UsageError extends Error {}

interface Parsed {
  positionals: string[];
  flags: Map<string, string[]>;
  rest: string[]; // after `--`
}

const BOOLEAN_FLAGS = new Set(['no-settle', 'no-retry', 'verbose', 'v', 'keep', 'no-lxd', 'help', 'h', 'force', 'string-args', 'background', 'utc']);

function parseArgs(argv: string[]): Parsed {
  const parsed: Parsed = { positionals: [], flags: new Map(), rest: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      parsed.rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const body = arg.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      let value = eq >= 0 ? body.slice(eq + 1) : 'true';
      if (eq < 0 && !BOOLEAN_FLAGS.has(name)) {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`flag --${name} needs a value`);
        value = next;
        i += 1;
      }
      parsed.flags.set(name, [...(parsed.flags.get(name) ?? []), value]);
    } else {
      parsed.positionals.push(arg);
    }
  }
  return parsed;
}

function flag(p: Parsed, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = p.flags.get(n);
    if (v && v.length > 0) return v[v.length - 1];
  }
  return undefined;
}

function has(p: Parsed, ...names: string[]): boolean {
  return names.some((n) => p.flags.has(n));
}

function intFlag(p: Parsed, fallback: number, ...names: string[]): number {
  const raw = flag(p, ...names);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${names[0]} expects a whole number, got "${raw}"`);
  return Number(raw);
}

/** --lxd deb|snap: how the new machines' LXD is packaged (snap-shaped machines: emulator/README.md) */
function packagingFlag(p: Parsed): 'deb' | 'snap' {
  const value = flag(p, 'lxd') ?? 'deb';
  if (value !== 'deb' && value !== 'snap') throw new UsageError(`--lxd takes deb or snap, not "${value}"`);
  return value;
}

function need(p: Parsed, count: number, usage: string): string[] {
  if (p.positionals.length < count) throw new UsageError(`usage: juju-emulator ${usage}`);
  return p.positionals;
}

const HELP = `juju-emulator: a local Juju model on real processes (see emulator/README.md)

Usage: juju-emulator [-m <model>] <command> [args]
  (model: -m/--model, else $JUJU_EMULATOR_MODEL, else "default"; state under $JUJU_EMULATOR_HOME or /var/lib/juju-emulator)

  add-model [--backend namespace|local]           create the model
  deploy <charm-dir|.charm|builtin:name> [app] [-n N] [--config k=v]... [--config-file f.yaml]
         [--loop-devices N] [--loop-size GiB] [--no-lxd] [--lxd deb|snap] [--snapd-version V]
         [--resource name=file]... [--storage name=loop,1G[,count]]...
  attach-resource <app> name=file   a new revision of a file resource; its units run upgrade-charm
  add-storage <unit> name=[loop,][size][,count]   detach-storage <storage-id>...   storage
  add-unit <app> [-n N]             remove-unit <unit>...
  relate|integrate <a>[:ep] <b>[:ep]  remove-relation <a> <b>
  config <app> [k=v ...] [--reset k]  (no k=v: print the effective config as JSON)
  run <unit>... <action> [k.k=v ...] [--params f.yaml] [--string-args]
                                    as juju run: values are YAML unless --string-args, then checked
                                    against actions.yaml; prints the result as JSON; exit 1 if it failed
  upgrade <app> <charm>             set-leader <unit>
  update-status [unit...]           resolve <unit> [--no-retry]
  settle [--max-hooks N]            status [--format json]
  debug-log [unit]                  exec <machine|unit> [--user U] -- <command...>
  set-machine-address <machine|unit> [address]   move a machine to another address on its subnet
                                    (default: the highest free one); its units get config-changed
  reboot <machine|unit>             reboot the machine: its daemons, loops and VGs go, its enabled units
                                    and LXD start again, its units get start
  destroy                           remove everything the model made

Commands that change the model run the resulting hooks until the model is idle (skip with --no-settle).
Exit codes: 0 ok, 1 operation failed (or a hook failed during settle), 2 usage error.`;

/** `name=file`, as juju deploy --resource and juju attach-resource take it */
function resourceArg(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) throw new UsageError(`expected a resource as name=file, got "${arg}"`);
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

function charmPath(source: string): string {
  if (source.startsWith('builtin:')) {
    const name = source.slice('builtin:'.length);
    if (name !== 'nova-compute' && name !== 'test-charm' && name !== 'test-subordinate') throw new UsageError(`unknown built-in charm "${name}"`);
    return builtinCharm(name);
  }
  return source;
}

function parseConfigArgs(app: string | null, args: string[], file: string | undefined, options: Record<string, ConfigOptionMeta>): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  if (file) {
    const raw = parseYaml(readFileSync(file, 'utf8')) as unknown;
    const map = (app && typeof raw === 'object' && raw !== null && app in raw ? (raw as Record<string, unknown>)[app] : raw) as Record<string, unknown>;
    for (const [k, v] of Object.entries(map ?? {})) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new UsageError(`config file: "${k}" must be a scalar`);
      out[k] = v;
    }
  }
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected "key=value", got "${arg}"`);
    const key = arg.slice(0, eq);
    const option = options[key];
    if (!option) throw new ModelError(`unknown option "${key}"`);
    out[key] = coerceConfigValue(key, option, arg.slice(eq + 1));
  }
  return out;
}

function progress(verbose: boolean) {
  return (o: RunOutcome) => {
    if (verbose || !o.ok) process.stderr.write(`${o.ok ? '  ok  ' : 'FAILED'} ${o.unit}: ${o.label}\n`);
  };
}

async function settleAfter(model: Model, p: Parsed): Promise<number> {
  if (has(p, 'no-settle')) return 0;
  const report = await model.settle({ maxHooks: intFlag(p, 500, 'max-hooks'), onEvent: progress(has(p, 'verbose', 'v')) });
  if (report.failed.length > 0) {
    process.stderr.write(`${report.failed.length} hook(s) failed; see \`juju-emulator status\` and \`juju-emulator debug-log <unit>\`, then \`juju-emulator resolve <unit>\`\n`);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv);
  const command = p.positionals.shift();
  if (command === undefined || has(p, 'help', 'h') || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !has(p, 'help', 'h') ? 2 : 0;
  }
  const name = flag(p, 'm', 'model') ?? process.env.JUJU_EMULATOR_MODEL ?? 'default';
  if (command === 'add-model') {
    const backend = flag(p, 'backend') ?? 'namespace';
    if (backend !== 'namespace' && backend !== 'local') throw new UsageError(`--backend must be namespace or local, got "${backend}"`);
    const model = await Model.create({ name, backend });
    await model.close();
    process.stdout.write(`model "${name}" created (${backend} machines) in ${model.state.dir}\n`);
    return 0;
  }
  const model = await Model.open(name);
  try {
    switch (command) {
      case 'deploy': {
        const [source, appArg] = need(p, 1, 'deploy <charm> [app]');
        const path = charmPath(source as string);
        const scratch = mkdtempSync('/tmp/juju-emulator-charm-');
        let appName: string;
        let options;
        try {
          const info = loadCharm(path, scratch);
          appName = appArg ?? info.meta.name;
          options = info.config;
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
        const config = parseConfigArgs(appName, p.flags.get('config') ?? [], flag(p, 'config-file'), options);
        await model.deploy(appName, path, {
          config,
          units: intFlag(p, 1, 'n', 'num-units'),
          machineOptions: {
            loopDevices: intFlag(p, 0, 'loop-devices'),
            loopSizeGiB: intFlag(p, 2, 'loop-size'),
            lxd: !has(p, 'no-lxd'),
            lxdPackaging: packagingFlag(p),
            snapdVersion: flag(p, 'snapd-version'),
          },
          resources: Object.fromEntries((p.flags.get('resource') ?? []).map((arg) => resourceArg(arg))),
          storage: (p.flags.get('storage') ?? []).map((arg) => parseStorageDirective(arg)),
        });
        process.stdout.write(`deployed "${appName}"\n`);
        return await settleAfter(model, p);
      }
      case 'add-storage': {
        const [unit, directive] = need(p, 2, 'add-storage <unit> name=[loop,][size][,count]');
        const ids = await model.addStorage(unit as string, parseStorageDirective(directive as string));
        process.stdout.write(`added storage ${ids.join(', ')} to ${unit}\n`);
        return await settleAfter(model, p);
      }
      case 'detach-storage': {
        for (const id of need(p, 1, 'detach-storage <storage-id>...')) model.detachStorage(id);
        return await settleAfter(model, p);
      }
      case 'storage': {
        const rows = Object.values(model.state.storage ?? {}).map((s) => `${s.unit.padEnd(16)} ${s.id.padEnd(12)} ${s.kind.padEnd(6)} ${s.life.padEnd(10)} ${s.location} ${Math.round(s.sizeBytes / 1024 ** 2)}MiB`);
        process.stdout.write(`${['Unit             Storage-ID   Type   State      Location', ...rows].join('\n')}\n`);
        return 0;
      }
      case 'attach-resource': {
        const [app, ...args] = need(p, 2, 'attach-resource <app> name=file');
        for (const [resource, file] of args.map((arg) => resourceArg(arg))) model.attachResource(app as string, resource, file);
        return await settleAfter(model, p);
      }
      case 'add-unit': {
        const [app] = need(p, 1, 'add-unit <app> [-n N]');
        const added = await model.addUnit(app as string, intFlag(p, 1, 'n', 'num-units'));
        process.stdout.write(`added ${added.join(', ')}\n`);
        return await settleAfter(model, p);
      }
      case 'remove-unit': {
        for (const unit of need(p, 1, 'remove-unit <unit>...')) model.removeUnit(unit);
        return await settleAfter(model, p);
      }
      case 'relate':
      case 'integrate': {
        const [a, b] = need(p, 2, 'relate <a> <b>');
        const id = model.relate(a as string, b as string);
        process.stdout.write(`relation ${id}: ${model.state.relations[String(id)]?.key ?? ''}\n`);
        return await settleAfter(model, p);
      }
      case 'remove-relation': {
        const [a, b] = need(p, 2, 'remove-relation <a> <b>');
        model.unrelate(a as string, b as string);
        return await settleAfter(model, p);
      }
      case 'config': {
        const [app, ...args] = need(p, 1, 'config <app> [k=v ...] [--reset k]');
        const record = getApp(model.state, app as string);
        const changes: Record<string, ConfigValue | null> = parseConfigArgs(app as string, args, flag(p, 'file'), record.charm.config);
        for (const key of (p.flags.get('reset') ?? []).flatMap((k) => k.split(','))) changes[key] = null;
        if (Object.keys(changes).length === 0) {
          process.stdout.write(`${JSON.stringify(effectiveConfig(record.charm.config, record.config), null, 2)}\n`);
          return 0;
        }
        const changed = model.config(app as string, changes);
        if (!changed) process.stdout.write('no value changed: config-changed not queued\n');
        return await settleAfter(model, p);
      }
      case 'run': {
        const paramsFile = flag(p, 'params');
        const command = parseRunCommand(p.positionals, {
          stringArgs: has(p, 'string-args'),
          ...(paramsFile === undefined ? {} : { paramsYaml: readFileSync(paramsFile === '-' ? 0 : paramsFile, 'utf8') }),
        });
        const records = [];
        for (const target of command.units) {
          const [app, which] = target.split('/') as [string, string];
          const unit = which === 'leader' ? getApp(model.state, app).leader : target;
          if (unit === null) throw new ModelError(`application "${app}" has no leader`);
          const record = await model.run(unit, command.action, command.params, { onEvent: progress(has(p, 'verbose', 'v')) });
          records.push({ id: record.id, unit: record.unit, action: record.name, status: record.status, message: record.message, results: record.results, log: record.log.map((l) => l.message) });
        }
        process.stdout.write(`${JSON.stringify(records.length === 1 ? records[0] : records, null, 2)}\n`);
        return records.every((r) => r.status === 'completed') ? 0 : 1;
      }
      case 'upgrade':
      case 'refresh': {
        const [app, source] = need(p, 2, 'upgrade <app> <charm>');
        model.upgrade(app as string, charmPath(source as string));
        return await settleAfter(model, p);
      }
      case 'set-leader': {
        const [unit] = need(p, 1, 'set-leader <unit>');
        model.setLeader(unit as string);
        return await settleAfter(model, p);
      }
      case 'update-status': {
        model.updateStatus(p.positionals.length > 0 ? p.positionals : undefined);
        return await settleAfter(model, p);
      }
      case 'resolve':
      case 'resolved': {
        const [unit] = need(p, 1, 'resolve <unit> [--no-retry]');
        model.resolve(unit as string, { noRetry: has(p, 'no-retry') });
        return await settleAfter(model, p);
      }
      case 'settle':
        return await settleAfter(model, p);
      case 'status': {
        const format = flag(p, 'format') ?? 'tabular';
        if (format === 'json') process.stdout.write(`${JSON.stringify(model.status(), null, 2)}\n`);
        else if (format === 'tabular') process.stdout.write(model.statusTable());
        else throw new UsageError(`unknown format "${format}" (tabular or json)`);
        return 0;
      }
      case 'debug-log':
        process.stdout.write(model.debugLog(p.positionals[0]));
        return 0;
      case 'exec': {
        const [target] = need(p, 1, 'exec <machine|unit> [--user U] -- <command...>');
        const argvToRun = p.rest.length > 0 ? p.rest : p.positionals.slice(1);
        if (argvToRun.length === 0) throw new UsageError('usage: juju-emulator exec <machine|unit> [--user U] -- <command...>');
        const user = flag(p, 'user', 'u');
        const result = await model.exec(target as string, argvToRun, user ? { user } : {});
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        return result.exitCode;
      }
      case 'set-machine-address': {
        const [target, address] = need(p, 1, 'set-machine-address <machine|unit> [address]');
        const machineId = (target as string).includes('/') ? (model.state.units[target as string]?.machine ?? '') : (target as string);
        if (machineId === '') throw new ModelError(`unit "${target}" not found`);
        const before = model.state.machines[machineId]?.address ?? '';
        const chosen = await model.changeMachineAddress(machineId, address);
        process.stdout.write(`machine ${machineId}: ${before} → ${chosen}\n`);
        return await settleAfter(model, p);
      }
      case 'reboot': {
        const [target] = need(p, 1, 'reboot <machine|unit>');
        const report = await model.reboot(target as string);
        const machineId = (target as string).includes('/') ? (model.state.units[target as string]?.machine ?? '') : (target as string);
        const started = report.started.length > 0 ? report.started.join(', ') : 'none';
        process.stdout.write(`rebooted machine ${machineId}: units started at boot: ${started}; LXD ${report.lxdStarted ? 'started' : 'not started (none on this machine)'}\n`);
        for (const failure of report.failed) process.stderr.write(`WARNING ${failure.unit} failed to start at boot: ${failure.error}\n`);
        return await settleAfter(model, p);
      }
      case 'destroy':
      case 'destroy-model': {
        await model.destroy();
        process.stdout.write(`model "${name}" destroyed\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}" (see juju-emulator help)`);
    }
  } finally {
    if (command !== 'destroy' && command !== 'destroy-model') await model.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`ERROR ${message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
