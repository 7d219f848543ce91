// juju/cmd output formatters with Go semantics: smart (the default), yaml (yaml.v2) and json.

import YAML from 'yaml';
import { quote, usageError } from './errors';
import type { FlagSpec, ParsedArgs } from './flags';
import { stringFlag } from './flags';

export type FormatName = 'smart' | 'yaml' | 'json';

/** A value a tool prints: plain data as Go would marshal it (null = Go nil). */
export type Printable = null | string | number | boolean | Printable[] | { [key: string]: Printable };

export const FORMAT_FLAGS: FlagSpec[] = [
  { name: 'format', kind: 'string', help: 'Specify output format (json|smart|yaml)' },
  { name: 'output', aliases: ['o'], kind: 'string', help: 'Specify an output file' },
];

export function chooseFormat(parsed: ParsedArgs, allowed: readonly FormatName[], fallback: FormatName): FormatName {
  const name = stringFlag(parsed, 'format') ?? fallback;
  const found = allowed.find((f) => f === name);
  if (!found) throw usageError(`invalid value ${quote(name)} for option --format: unknown format ${quote(name)}`);
  return found;
}

/** yaml.v2's key order: letters before other runes, digit runs compared as numbers ("lxd/2" < "lxd/10"). */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string): boolean => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

function compareYamlKeys(a: { key: unknown }, b: { key: unknown }): number {
  const ak = String(YAML.isScalar(a.key) ? a.key.value : a.key);
  const bk = String(YAML.isScalar(b.key) ? b.key.value : b.key);
  if (ak === bk) return 0;
  return goYamlKeyLess(ak, bk) ? -1 : 1;
}

/** Whether yaml.v2 would resolve this plain scalar to something other than a string (so it must be quoted). */
function readsAsOtherType(text: string): boolean {
  if (text === '') return true;
  const doc = YAML.parseDocument(text, { version: '1.1' });
  return doc.errors.length === 0 && YAML.isScalar(doc.contents) && typeof doc.contents.value !== 'string';
}

/**
 * Go yaml.v2 output: YAML 1.1 resolution, yaml.v2 key order, sequences not indented under keys;
 * strings that would read as another type in double quotes, other strings needing quotes in single quotes.
 */
export function formatYaml(value: Printable): string {
  if (value === null) return '';
  const doc = new YAML.Document(value, { version: '1.1', sortMapEntries: compareYamlKeys });
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && readsAsOtherType(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, minContentWidth: 0, singleQuote: true });
}

function sortKeys(value: Printable): Printable {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Printable } = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Printable);
    return out;
  }
  return value;
}

/** Go's json.Marshal: sorted map keys, HTML-safe escaping, then a newline. */
export function formatJson(value: Printable): string {
  const text = JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `${text}\n`;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** juju/cmd FormatSmart: nil and "" print nothing, bools True/False, string lists one per line, the rest YAML. */
export function formatSmart(value: Printable): string {
  if (value === null) return '';
  if (typeof value === 'string') return withNewline(value);
  if (typeof value === 'boolean') return value ? 'True\n' : 'False\n';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return withNewline(value.join('\n'));
  return formatYaml(value);
}

export function formatValue(format: FormatName, value: Printable): string {
  if (format === 'json') return formatJson(value);
  if (format === 'yaml') return formatYaml(value);
  return formatSmart(value);
}
