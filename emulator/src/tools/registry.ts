// Every hook tool by name, and running one: parse (may ask the client for inputs), then run
// against a HookContext, turning errors into `ERROR <text>` with exit 2 (usage) or 1 (run).

import { actionFail, actionGet, actionLog, actionSet } from './action-tools';
import { ToolError } from './errors';
import { parseFlags, type ParsedArgs, stringFlag, usageText } from './flags';
import { chooseFormat, FORMAT_FLAGS, type FormatName, formatSmart, formatValue } from './format';
import type { HookContext } from './hook-context';
import { configGet, isLeader, networkGet, unitGet } from './identity-tools';
import { leaderGet, leaderSet } from './leader-tools';
import { closePort, openedPorts, openPort } from './port-tools';
import { relationGet, relationIds, relationList, relationSet } from './relation-tools';
import { resourceGet } from './resource-tools';
import { secretAdd, secretGet, secretGrant, secretIds, secretInfoGet, secretRemove, secretRevoke, secretSet } from './secret-tools';
import { stateDelete, stateGet, stateSet } from './state-tools';
import { storageGet, storageList } from './storage-tools';
import { applicationVersionSet, jujuLog, statusGet, statusSet } from './status-tools';
import type { ToolDef } from './tool';

const TOOLS: readonly ToolDef[] = [
  configGet, unitGet, networkGet, isLeader,
  relationIds, relationList, relationGet, relationSet,
  leaderGet, leaderSet,
  statusSet, statusGet, applicationVersionSet, jujuLog,
  openPort, closePort, openedPorts,
  actionGet, actionSet, actionFail, actionLog,
  stateGet, stateSet, stateDelete,
  secretAdd, secretGet, secretSet, secretGrant, secretRevoke, secretRemove, secretIds, secretInfoGet,
  resourceGet,
  storageList, storageGet,
];

const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

/** Names of every hook tool the emulator serves (each becomes a symlink to jujuc). */
export const TOOL_NAMES: readonly string[] = TOOLS.map((t) => t.name);

export interface ToolResponse {
  code: number;
  stdout: string;
  stderr: string;
  /** `-o/--output <file>`: the client writes this instead of printing stdout */
  outputFile?: { path: string; content: string };
}

/** An input the client read for the tool: its content, or why it could not be read. */
export type ToolInput = { data: string } | { error: string };

export type PreparedCall =
  | { kind: 'done'; response: ToolResponse }
  | { kind: 'ready'; def: ToolDef; parsed: ParsedArgs; format: FormatName; inputs: string[] };

function failure(error: unknown): ToolResponse {
  if (error instanceof ToolError) return { code: error.exitCode, stdout: '', stderr: `ERROR ${error.message}\n` };
  return { code: 1, stdout: '', stderr: `ERROR ${(error as Error).message ?? String(error)}\n` };
}

/** Parses a call; `inputs` lists what the client must send before executeTool ("-" = stdin). */
export function prepareTool(name: string, args: readonly string[]): PreparedCall {
  const def = BY_NAME.get(name);
  if (!def) return { kind: 'done', response: { code: 1, stdout: '', stderr: `ERROR bad request: unknown hook tool "${name}"\n` } };
  const specs = def.formats ? [...def.flags, ...FORMAT_FLAGS] : def.flags;
  try {
    const parsed = parseFlags(args, specs);
    if (parsed.help) return { kind: 'done', response: { code: 0, stdout: usageText(def.name, def.usage, def.purpose, specs), stderr: '' } };
    const format = def.formats ? chooseFormat(parsed, def.formats.allowed, def.formats.fallback) : 'smart';
    def.init?.(parsed);
    return { kind: 'ready', def, parsed, format, inputs: def.inputs?.(parsed) ?? [] };
  } catch (error) {
    return { kind: 'done', response: failure(error) };
  }
}

/** Runs a prepared call against a hook context. */
export function executeTool(ctx: HookContext, call: PreparedCall, inputs: ReadonlyMap<string, ToolInput> = new Map()): ToolResponse {
  if (call.kind === 'done') return call.response;
  let warnings = '';
  try {
    const value = call.def.run(ctx, {
      warn(text) {
        warnings += text;
      },
      parsed: call.parsed,
      format: call.format,
      input(path) {
        const input = inputs.get(path);
        if (input === undefined) throw new ToolError(`input ${JSON.stringify(path)} was not provided`);
        if ('error' in input) throw new ToolError(input.error);
        return input.data;
      },
    });
    const stdout = value === undefined ? '' : call.def.formats ? formatValue(call.format, value) : formatSmart(value);
    const outputPath = stringFlag(call.parsed, 'output');
    if (outputPath !== undefined && call.def.formats) return { code: 0, stdout: '', stderr: warnings, outputFile: { path: outputPath, content: stdout } };
    return { code: 0, stdout, stderr: warnings };
  } catch (error) {
    return failure(error);
  }
}

/** Runs a tool in-process (tests, and any caller without a socket): stdin and files come from `io`. */
export function invokeTool(ctx: HookContext, name: string, args: readonly string[], io: { stdin?: string; files?: Record<string, string> } = {}): ToolResponse {
  const call = prepareTool(name, args);
  const inputs = new Map<string, ToolInput>();
  if (call.kind === 'ready') {
    for (const path of call.inputs) {
      const data = path === '-' ? io.stdin : io.files?.[path];
      inputs.set(path, data === undefined ? { error: `open ${path}: no such file or directory` } : { data });
    }
  }
  return executeTool(ctx, call, inputs);
}
