// The trust password: from config, else generated once (crypto, 32+ chars) and kept in a unit-owned
// Juju secret, or in charm state where Juju has no secrets. Only its hash is compared each hook.
import { createHash, randomBytes } from 'node:crypto';
import type { HookTools } from '../juju/hook-tools';
import type { CharmState } from '../model/charm-state';

export const SECRET_LABEL = 'lxd-trust-password';

export const hashPassword = (password: string): string => createHash('sha256').update(`lxd-charm-trust:${password}`).digest('hex');

export interface TrustPassword {
  /** the hash of the password the charm wants in LXD */
  readonly hash: string;
  /** the password itself, read (from the secret) only when it must be written */
  value(): Promise<string>;
  /** state to remember (a new secret id or a generated password) */
  readonly remember: Partial<CharmState>;
}

/**
 * Our labelled secret when charm state lost track of it (so the password stays stable); null when none.
 * secret-ids lists what this unit owns, so "none" is an answer, not a failed lookup to guess about.
 */
async function findOwnSecret(juju: HookTools): Promise<{ id: string; password: string } | null> {
  for (const id of await juju.secretIds()) {
    const info = await juju.secretInfoGet({ id });
    if (info.label !== SECRET_LABEL) continue;
    const password = (await juju.secretGet({ id })).password;
    return password ? { id, password } : null;
  }
  return null;
}

/**
 * Where Juju has secrets (HookTools.secretsSupported) a generated password lives only in a secret: any
 * failing secret tool fails the hook, with nothing replaced and nothing written to charm state. Only
 * a Juju without secrets keeps it in charm state, which is private to this unit on the controller.
 */
export async function resolveTrustPassword(
  configured: string | null,
  state: CharmState,
  juju: HookTools,
  random: (bytes: number) => Buffer = randomBytes,
  /** the password the legacy lxd charm set in LXD and published to its peers; kept on upgrade-charm rather than replaced */
  legacyPassword: () => Promise<string | null> = async () => null,
): Promise<TrustPassword> {
  if (configured) return { hash: hashPassword(configured), value: async () => configured, remember: { trustPassword: '', trustSecretId: state.trustSecretId } };
  if (state.trustSecretId && state.trustPasswordHash) {
    // our own unit-owned secret only changes when we change it: the stored hash stands for it
    const id = state.trustSecretId;
    return { hash: state.trustPasswordHash, value: async () => (await juju.secretGet({ id })).password ?? '', remember: {} };
  }
  if (state.trustPassword) return { hash: hashPassword(state.trustPassword), value: async () => state.trustPassword, remember: {} };
  const generated = (): string => random(24).toString('base64url'); // 32 characters
  if (!juju.secretsSupported) {
    const password = (await legacyPassword()) || generated();
    return { hash: hashPassword(password), value: async () => password, remember: { trustPassword: password } };
  }
  const kept = await findOwnSecret(juju);
  if (kept) return { hash: hashPassword(kept.password), value: async () => kept.password, remember: { trustSecretId: kept.id, trustPassword: '' } };
  const password = (await legacyPassword()) || generated();
  const id = await juju.secretAdd({ password }, { owner: 'unit', label: SECRET_LABEL, description: 'LXD trust password of this unit' });
  return { hash: hashPassword(password), value: async () => password, remember: { trustSecretId: id, trustPassword: '' } };
}
