// The model directory: state.json (written atomically), logs/, machines/, charms/.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from './topology';
import type { ModelState } from './types';

const MODEL_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export function emulatorHome(): string {
  return process.env.JUJU_EMULATOR_HOME ?? '/var/lib/juju-emulator';
}

export function checkModelName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new ModelError(`invalid model name "${name}": lowercase letters, digits and "-", starting with a letter, at most 31 characters`);
  }
}

export function modelDirOf(name: string, home = emulatorHome()): string {
  checkModelName(name);
  return path.join(home, name);
}

export function stateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

export function saveState(state: ModelState): void {
  mkdirSync(state.dir, { recursive: true, mode: 0o700 });
  const file = stateFile(state.dir);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function loadState(dir: string): ModelState {
  const file = stateFile(dir);
  if (!existsSync(file)) throw new ModelError(`no model at ${dir} (no state.json); create it first (juju-emulator add-model)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ModelState;
  } catch (err) {
    throw new ModelError(`cannot read ${file}: ${(err as Error).message}`);
  }
}
