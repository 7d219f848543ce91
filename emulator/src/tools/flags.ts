// GNU-style flag parsing as juju/gnuflag does it for hook tools: `--flag=v`, `--flag v`, `-f v`,
// flags after positionals, `--` ends flags, booleans take `=true/false/True/False/1/0`.

import { quote, usageError } from './errors';

export interface FlagSpec {
  /** long name without dashes, e.g. "relation" */
  name: string;
  /** other names (long or one-letter) that mean the same flag, e.g. ["r"] */
  aliases?: string[];
  kind: 'bool' | 'string';
  help?: string;
}

export interface ParsedArgs {
  /** by long name; a repeated string flag keeps its last value */
  values: Map<string, string | boolean>;
  /** the spelling used for each flag given, as typed ("-r", "--relation"), for error messages */
  spelling: Map<string, string>;
  positionals: string[];
  help: boolean;
}

const BOOL_WORDS: Record<string, boolean> = { true: true, True: true, TRUE: true, t: true, T: true, '1': true, false: false, False: false, FALSE: false, f: false, F: false, '0': false };

function dashed(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byName.set(alias, spec);
  }
  const result: ParsedArgs = { values: new Map(), spelling: new Map(), positionals: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      result.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      result.positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    if (name === 'help' || name === 'h') {
      result.help = true;
      continue;
    }
    const spec = byName.get(name);
    if (!spec || name === '') throw usageError(`option provided but not defined: ${dashed(name)}`);
    result.spelling.set(spec.name, dashed(name));
    if (spec.kind === 'bool') {
      if (inline === undefined) {
        result.values.set(spec.name, true);
      } else {
        const value = BOOL_WORDS[inline];
        if (value === undefined) throw usageError(`invalid value ${quote(inline)} for option ${dashed(name)}: parse error`);
        result.values.set(spec.name, value);
      }
      continue;
    }
    if (inline !== undefined) {
      result.values.set(spec.name, inline);
    } else {
      const next = args[i + 1];
      if (next === undefined) throw usageError(`option needs an argument: ${dashed(name)}`);
      result.values.set(spec.name, next);
      i += 1;
    }
  }
  return result;
}

export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function boolFlag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values.get(name) === true;
}

/** juju/cmd's CheckEmpty: leftover positionals are a usage error. */
export function checkNoMoreArgs(rest: readonly string[]): void {
  if (rest.length > 0) throw usageError(`unrecognized args: [${rest.map(quote).join(' ')}]`);
}

export function usageText(tool: string, usage: string, purpose: string, specs: readonly FlagSpec[]): string {
  const lines = [`Usage: ${tool} ${usage}`.trimEnd(), '', 'Summary:', purpose, ''];
  if (specs.length > 0) {
    lines.push('Options:');
    for (const spec of specs) {
      const names = [spec.name, ...(spec.aliases ?? [])].map(dashed).join(', ');
      lines.push(`${names}${spec.kind === 'string' ? ' (= "")' : ' (= false)'}`, `    ${spec.help ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
