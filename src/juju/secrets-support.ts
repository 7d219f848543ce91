// Whether this Juju has secrets (hook tools secret-* from Juju 3.0.2, contract §3.9), decided once
// from what the agent says about itself, so callers never infer it from a failing secret tool.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const FIRST_JUJU_WITH_SECRETS = '3.0.2';

/** "3.6.4" → [3, 6, 4]; a pre-release ("3.1-rc1", "3.0-beta4") counts as its x.y.0. null when unreadable. */
export function jujuVersionParts(version: string): [number, number, number] | null {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export interface SecretsSupportInputs {
  /** JUJU_VERSION */
  readonly jujuVersion: string | undefined;
  /** PATH, consulted only when the version cannot be read: the agent puts its hook tools there */
  readonly path?: string | undefined;
  readonly exists?: (file: string) => boolean;
}

/** JUJU_VERSION ≥ 3.0.2; with no readable version, whether `secret-add` is among the hook tools on PATH. */
export function jujuHasSecrets({ jujuVersion, path, exists = existsSync }: SecretsSupportInputs): boolean {
  const parts = jujuVersionParts(jujuVersion ?? '');
  if (parts) {
    const [major, minor, patch] = parts;
    return major > 3 || (major === 3 && (minor > 0 || patch >= 2));
  }
  return (path ?? '').split(delimiter).some((dir) => dir !== '' && exists(join(dir, 'secret-add')));
}
