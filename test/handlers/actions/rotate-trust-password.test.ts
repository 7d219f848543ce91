// rotate-trust-password through the real event table: after a converge made (and stored) a password,
// the action applies a new one, stores it where the charm keeps it, and the next hook sees no change.
import { aUnit } from '../../builders/juju-state';
import { runAction, runHook, type World } from '../../builders/run-hook';
import { FakeHost } from '../../fakes/fake-host';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import { hashPassword } from '../../../src/handlers/trust-password';
import { LxdApiError } from '../../../src/lxd/lxd-api';

const CONFIG = { 'lvm-thinpool': false };

async function convergedWorld(params: Record<string, unknown> = {}, lxd = new FakeLxd()): Promise<World & { juju: FakeJuju; lxd: FakeLxd }> {
  const juju = new FakeJuju(aUnit().withConfig(CONFIG).runningAction('rotate-trust-password', params));
  const w = { juju, lxd, host: new FakeHost() };
  expect((await runHook('config-changed', w)).exitCode).toBe(0);
  expect(lxd.trustPassword).toHaveLength(32);
  return w;
}

const secretNow = (juju: FakeJuju): string | undefined => juju.state.secrets.find((s) => s.label === 'lxd-trust-password')?.revisions.at(-1)?.password;

test('applies a new password, keeps it in the unit secret with its hash, returns it masked', async () => {
  const w = await convergedWorld();
  const old = w.lxd.trustPassword;
  const { exitCode } = await runAction('rotate-trust-password', w);
  expect(exitCode).toBe(0);
  const action = w.juju.state.action;
  expect(action?.failed).toBeNull();
  const fresh = w.lxd.trustPassword ?? '';
  expect(fresh).toHaveLength(32);
  expect(fresh).not.toBe(old);
  expect(secretNow(w.juju)).toBe(fresh);
  expect(w.juju.state.charmState['trust-password-hash']).toBe(hashPassword(fresh));
  expect(action?.results).toEqual({
    password: `${fresh.slice(0, 4)}… (32 characters; show=true returns it whole)`,
    'stored-in': expect.stringMatching(/^juju secret secret:/),
    result: expect.stringMatching(/^LXD uses the new password now/),
  });
  expect([...w.juju.logs, ...(action?.logs ?? [])].join('\n')).not.toContain(fresh);

  // the next hook finds LXD as desired: no trust password write
  const writes = w.lxd.writes.length;
  expect((await runHook('update-status', w)).exitCode).toBe(0);
  expect(w.lxd.writes.slice(writes)).toEqual([]);
  expect(w.lxd.trustPassword).toBe(fresh);
});

test('show=true returns the whole password', async () => {
  const w = await convergedWorld({ show: true });
  await runAction('rotate-trust-password', w);
  expect(w.juju.state.action?.results.password).toBe(w.lxd.trustPassword);
});

test('without Juju secrets the password is kept in charm state', async () => {
  const lxd = new FakeLxd();
  lxd.trustPassword = 'x'.repeat(32);
  const juju = new FakeJuju(
    aUnit().withConfig(CONFIG).withState({ 'trust-password': 'x'.repeat(32), 'trust-password-hash': hashPassword('x'.repeat(32)) }).runningAction('rotate-trust-password', { show: false }),
  );
  await runAction('rotate-trust-password', { juju, lxd, host: new FakeHost() });
  const fresh = lxd.trustPassword ?? '';
  expect(fresh).not.toBe('x'.repeat(32));
  expect(juju.state.charmState).toMatchObject({ 'trust-password': fresh, 'trust-password-hash': hashPassword(fresh) });
  expect(juju.state.action?.results['stored-in']).toBe('charm state (this Juju has no secrets)');
});

test('refused while config sets trust-password, or on an LXD without trust passwords; nothing changes', async () => {
  const configured = new FakeJuju(aUnit().withConfig({ ...CONFIG, 'trust-password': 'operator-chosen-password' }).runningAction('rotate-trust-password', { show: false }));
  const lxd = new FakeLxd();
  await runAction('rotate-trust-password', { juju: configured, lxd, host: new FakeHost() });
  expect(configured.state.action?.failed).toMatch(/^the trust password comes from config trust-password: change it with `juju config lxd trust-password=…`/);

  const modern = new FakeLxd({ version: '6.1', extensions: ['certificate_token', 'explicit_trust_token'] });
  const juju = new FakeJuju(aUnit().withConfig(CONFIG).runningAction('rotate-trust-password', { show: false }));
  await runAction('rotate-trust-password', { juju, lxd: modern, host: new FakeHost() });
  expect(juju.state.action?.failed).toBe('LXD 6.1 has no trust password (removed in LXD 6.1): use get-client-token or add-trusted-client instead');
  expect([...lxd.writes, ...modern.writes, ...juju.writes, ...configured.writes]).toEqual([]);

  const bad = new FakeJuju(aUnit().withConfig(CONFIG).runningAction('rotate-trust-password', { show: 'yes' }));
  await runAction('rotate-trust-password', { juju: bad, lxd, host: new FakeHost() });
  expect(bad.state.action?.failed).toMatch(/^invalid parameters: show must be boolean/);
});

test('when LXD refuses the password nothing is stored and the message holds no secret', async () => {
  const w = await convergedWorld();
  const old = w.lxd.trustPassword;
  const before = { secret: secretNow(w.juju), hash: w.juju.state.charmState['trust-password-hash'] };
  let tried = '';
  w.lxd.patchServerConfig = async (config) => {
    tried = config['core.trust_password'] ?? '';
    throw new LxdApiError(400, 'PATCH', '/1.0', `cannot set 'core.trust_password' to '${tried}': unknown key`);
  };
  expect((await runAction('rotate-trust-password', w)).exitCode).toBe(0);
  const failed = w.juju.state.action?.failed ?? '';
  expect(failed).toBe("LXD PATCH /1.0 failed (400): cannot set 'core.trust_password' to '<secret>': unknown key; the password is unchanged; check show-config and try again");
  expect(tried).toHaveLength(32);
  expect(failed).not.toContain(tried);
  expect({ secret: secretNow(w.juju), hash: w.juju.state.charmState['trust-password-hash'] }).toEqual(before);
  expect(w.lxd.trustPassword).toBe(old);
});
