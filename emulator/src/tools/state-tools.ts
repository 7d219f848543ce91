// state-get, state-set, state-delete (contract §3.7): unit-private charm state, writes pending.
// state-set keeps an empty value as "" (juju worker/uniter/runner/jujuc/state-set.go passes every value
// to SetCharmStateValue unchanged); only state-delete removes a key.

import YAML from 'yaml';
import { quote, runError } from './errors';
import { boolFlag, checkNoMoreArgs, stringFlag } from './flags';
import { parseKeyValues, parseSettingsFile, type ToolDef } from './tool';

const MAX_KEY_BYTES = 256;
const MAX_VALUE_BYTES = 64 * 1024;

export const stateGet: ToolDef = {
  name: 'state-get',
  usage: '[<key>]',
  purpose: 'Print charm data from the server side state.',
  flags: [{ name: 'strict', kind: 'bool', help: 'Return an error if the requested key does not exist' }],
  formats: { allowed: ['smart', 'yaml', 'json'], fallback: 'smart' },
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    const state = ctx.charmState();
    const key = parsed.positionals[0];
    if (key === undefined || key === '' || key === '-') return state;
    const value = state[key];
    if (value === undefined) {
      if (boolFlag(parsed, 'strict')) throw runError(`${quote(key)} not found`);
      return '';
    }
    return value;
  },
};

export const stateSet: ToolDef = {
  name: 'state-set',
  usage: 'key=value [key=value ...]',
  purpose: 'Set server-side-state values.',
  flags: [{ name: 'file', kind: 'string', help: 'file containing key-value pairs ("-" for stdin)' }],
  inputs(parsed) {
    const file = stringFlag(parsed, 'file');
    return file === undefined ? [] : [file];
  },
  init(parsed) {
    parseKeyValues(parsed.positionals);
  },
  run(ctx, call) {
    const file = stringFlag(call.parsed, 'file');
    const changes = file === undefined ? new Map<string, string>() : parseSettingsFile(call.input(file), (t) => YAML.parse(t, { version: '1.1' }));
    for (const [key, value] of parseKeyValues(call.parsed.positionals)) changes.set(key, value);
    for (const [key, value] of changes) {
      if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw runError(`key ${quote(key.slice(0, 20))}… exceeds the limit of ${MAX_KEY_BYTES} bytes`);
      if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw runError(`value of key ${quote(key)} exceeds the limit of ${MAX_VALUE_BYTES} bytes`);
    }
    ctx.setCharmState(changes);
    return undefined;
  },
};

export const stateDelete: ToolDef = {
  name: 'state-delete',
  usage: '<key>',
  purpose: 'Delete server-side-state key value pair.',
  flags: [],
  init(parsed) {
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    const key = parsed.positionals[0];
    if (key !== undefined && key !== '') ctx.deleteCharmState(key);
    return undefined;
  },
};
