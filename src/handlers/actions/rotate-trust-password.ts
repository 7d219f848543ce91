// rotate-trust-password: a new generated password, written to LXD first and then stored (secret or
// charm state, plus its hash) in this hook's transaction, so the next converge sees no difference.
// The password never reaches a log; it is returned in full only with show=true.
import { randomBytes } from 'node:crypto';
import { readCharmState, stateChanges, type CharmState } from '../../model/charm-state';
import { describeProblems, parseConfig } from '../../model/config';
import { LxdApiError, supportsTrustPassword } from '../../lxd/lxd-api';
import { hashPassword, resolveTrustPassword } from '../trust-password';
import type { Services } from '../services';
import { ActionRefused, defineAction } from './action';

/** LXD may echo a value in its error text: keep the password out of any message. */
const scrub = (err: unknown, secret: string): Error =>
  err instanceof LxdApiError ? new ActionRefused(`${err.message.split(secret).join('<secret>')}; the password is unchanged; check show-config and try again`) : new Error('storing the new trust password failed');

async function store(s: Services, state: CharmState, password: string): Promise<{ state: CharmState; where: string }> {
  if (state.trustSecretId) {
    await s.juju.secretSet(state.trustSecretId, { password });
    return { state: { ...state, trustPasswordHash: hashPassword(password) }, where: `juju secret ${state.trustSecretId}` };
  }
  return { state: { ...state, trustPassword: password, trustPasswordHash: hashPassword(password) }, where: 'charm state (this Juju has no secrets)' };
}

export const rotateTrustPassword = defineAction<{ show?: boolean }>('rotate-trust-password', async (params, s) => {
  const parsed = parseConfig(await s.juju.configGet());
  if (!parsed.ok) throw new ActionRefused(`${describeProblems(parsed.problems)}; fix the config first`);
  if (parsed.config.trustPassword) {
    throw new ActionRefused('the trust password comes from config trust-password: change it with `juju config lxd trust-password=…`, or unset it to let the charm generate one it can rotate');
  }
  const server = await s.lxd.server();
  if (!supportsTrustPassword(server)) throw new ActionRefused(`LXD ${server.serverVersion} has no trust password (removed in LXD 6.1): use get-client-token or add-trusted-client instead`);

  const bag = await s.juju.stateGet();
  const before = readCharmState(bag);
  const password = randomBytes(24).toString('base64url'); // 32 characters, 192 bits
  // where the charm keeps it: a secret when it has one, or can make one (created here with the new value)
  const known = before.trustSecretId || before.trustPassword ? { remember: {} } : await resolveTrustPassword(null, before, s.juju, () => Buffer.from(password, 'base64url'));
  const current = { ...before, ...known.remember };
  const previous = await resolveTrustPassword(null, current, s.juju);

  try {
    await s.lxd.patchServerConfig({ 'core.trust_password': password });
  } catch (err) {
    throw scrub(err, password);
  }
  try {
    const stored = await store(s, current, password);
    const changes = stateChanges(bag, stored.state);
    if (Object.keys(changes).length > 0) await s.juju.stateSet(changes);
    return {
      password: params.show === true ? password : `${password.slice(0, 4)}… (${password.length} characters; show=true returns it whole)`,
      'stored-in': stored.where,
      result: 'LXD uses the new password now; legacy peers get it from the lxd-migration relation in the next hook',
    };
  } catch (err) {
    // not stored: LXD goes back to the password the charm still holds, so nothing drifts
    await s.lxd.patchServerConfig({ 'core.trust_password': await previous.value() }).catch(() => undefined);
    throw scrub(err, password);
  }
});
