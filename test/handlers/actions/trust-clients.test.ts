// The trust-management actions through the charm's real event table (runAction with FakeJuju) over an
// in-memory LXD with a trust store: parameter checks, results, refusals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { aUnit } from '../../builders/juju-state';
import { runAction } from '../../builders/run-hook';
import { FakeHost } from '../../fakes/fake-host';
import { FakeJuju } from '../../fakes/fake-juju';
import { FakeLxd } from '../../fakes/fake-lxd';
import type { FakeLxdOptions } from '../../fakes/fake-lxd';

const certs = (JSON.parse(readFileSync(join(__dirname, '../../migration/fixtures/certs.json'), 'utf8')) as { certs: string[] }).certs;
const pem = (i: number): string => certs[i] ?? '';
const fingerprintOf = (text: string): string =>
  createHash('sha256').update(Buffer.from(text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64')).digest('hex');
const opensslForm = (fp: string): string => `sha256 Fingerprint=${(fp.toUpperCase().match(/.{2}/g) ?? []).join(':')}`;

interface Ran {
  readonly exitCode: number;
  readonly results: Record<string, string>;
  readonly failed: string | null;
  readonly logs: string;
}

function makeWorld(options: FakeLxdOptions = {}) {
  const lxd = new FakeLxd(options);
  // LXD refuses to restrict a certificate to a project it does not have
  lxd.projects.set('nova', { config: {} });
  const host = new FakeHost();
  const run = async (action: string, params: Record<string, unknown> = {}): Promise<Ran> => {
    const juju = new FakeJuju(aUnit('lxd/0').runningAction(action, params));
    const { exitCode } = await runAction(action, { juju, lxd, host });
    const state = juju.state;
    return {
      exitCode,
      results: (state.action?.results ?? {}) as Record<string, string>,
      failed: state.action?.failed ?? null,
      logs: [...juju.logs, ...(state.action?.logs ?? [])].join('\n'),
    };
  };
  return { lxd, run };
}

describe('add-trusted-client', () => {
  test('trusts a PEM certificate under the given name and project restriction', async () => {
    const { lxd, run } = makeWorld();
    const out = await run('add-trusted-client', { cert: pem(0), name: 'alice', projects: 'default, nova' });
    expect(out).toMatchObject({ exitCode: 0, failed: null });
    const fp = fingerprintOf(pem(0));
    expect(out.results).toEqual({ fingerprint: fp, name: 'alice', projects: 'default,nova', result: 'added' });
    expect(lxd.trust.get(fp)).toEqual({ name: 'alice', fingerprint: fp, type: 'client', restricted: true, projects: ['default', 'nova'] });
  });

  test('defaults the name to the fingerprint prefix; adding again changes nothing', async () => {
    const { lxd, run } = makeWorld();
    const fp = fingerprintOf(pem(1));
    expect((await run('add-trusted-client', { cert: pem(1) })).results).toMatchObject({ name: `client-${fp.slice(0, 12)}`, projects: 'unrestricted', result: 'added' });
    const again = await run('add-trusted-client', { cert: pem(1) });
    expect(again.results.result).toBe('already trusted: nothing changed');
    expect(lxd.writes).toEqual([`POST /1.0/certificates client-${fp.slice(0, 12)}`]);
  });

  test('accepts a PEM whose line breaks Juju folded into spaces (cert=… parsed as YAML) as the same certificate', async () => {
    const { lxd, run } = makeWorld();
    const folded = pem(2).trim().split('\n').join(' ');
    expect(folded).not.toContain('\n');
    const out = await run('add-trusted-client', { cert: folded, name: 'folded' });
    expect(out).toMatchObject({ exitCode: 0, failed: null });
    const fp = fingerprintOf(pem(2));
    expect(out.results).toMatchObject({ fingerprint: fp, name: 'folded', result: 'added' });
    expect(lxd.trust.get(fp)?.name).toBe('folded');
  });

  test.each([
    ['a folded PEM with a stray word in its body', '-----BEGIN CERTIFICATE----- MIIB not-base64! AAAA -----END CERTIFICATE-----', 'cert is not a single PEM certificate'],
    ['a folded private key', '-----BEGIN PRIVATE KEY----- MC4CAQAwBQYDK2VwBCIEIA== -----END PRIVATE KEY-----', 'cert is not a single PEM certificate'],
    ['garbage', 'not a certificate', 'cert is not a single PEM certificate'],
    ['two certificates', `${pem(0)}${pem(1)}`, 'cert is not a single PEM certificate'],
    ['a private key', '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n', 'cert is not a single PEM certificate'],
    ['bad DER', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'cert does not parse as an X.509 certificate'],
  ])('refuses %s and changes nothing', async (_label, cert, message) => {
    const { lxd, run } = makeWorld();
    const out = await run('add-trusted-client', { cert });
    expect(out.exitCode).toBe(0);
    expect(out.failed).toContain(message);
    // forms that reach the charm intact on real Juju, not the bare cert=… that Juju folds as YAML
    expect(out.failed).toContain('--string-args cert="$(cat client.crt)"');
    expect(out.failed).toContain('--params file.yaml');
    expect(out.results).toEqual({});
    expect(lxd.writes).toEqual([]);
  });

  test.each([
    [{ name: 'alice' }, 'invalid parameters: missing parameter "cert"'],
    [{ cert: 42 }, 'invalid parameters: cert must be string'],
    [{ cert: 'x', colour: 'red' }, 'invalid parameters: unknown parameter "colour"'],
  ])('params %j are refused before anything is done', async (params, message) => {
    const { lxd, run } = makeWorld();
    const out = await run('add-trusted-client', params);
    expect(out.failed).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&')}`));
    expect(lxd.writes).toEqual([]);
  });

  test('refuses bad project and entry names, and the charm\'s own prefix', async () => {
    const { lxd, run } = makeWorld();
    expect((await run('add-trusted-client', { cert: pem(0), projects: 'ok,bad name' })).failed).toBe(
      'projects: "bad name" is not an LXD project name; give a comma-separated list such as projects=default,nova',
    );
    expect((await run('add-trusted-client', { cert: pem(0), name: 'a/b' })).failed).toMatch(/^name "a\/b" is not usable/);
    expect((await run('add-trusted-client', { cert: pem(0), name: 'juju-lxd-1-nova' })).failed).toMatch(/keeps for its peers' entries; choose another name$/);
    expect(lxd.writes).toEqual([]);
  });
});

describe('remove-trusted-client', () => {
  async function trusted() {
    const w = makeWorld();
    await w.run('add-trusted-client', { cert: pem(2), name: 'bob' });
    await w.lxd.addTrustEntry({ name: 'juju-lxd-1-nova', derBase64: Buffer.from(pem(3).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64').toString('base64'), projects: [] });
    w.lxd.writes.length = 0;
    return w;
  }

  test.each([
    ['plain hex', (fp: string) => fp],
    ['upper case with colons', (fp: string) => (fp.toUpperCase().match(/.{2}/g) ?? []).join(':')],
    ['openssl output as it is', opensslForm],
    ['openssl output with a newline', (fp: string) => `${opensslForm(fp)}\n`],
  ])('removes by fingerprint given as %s', async (_label, form) => {
    const { lxd, run } = await trusted();
    const fp = fingerprintOf(pem(2));
    const out = await run('remove-trusted-client', { fingerprint: form(fp), force: false });
    expect(out).toMatchObject({ exitCode: 0, failed: null, results: { fingerprint: fp, name: 'bob', result: 'removed' } });
    expect(lxd.trust.has(fp)).toBe(false);
    expect(lxd.writes).toEqual([`DELETE /1.0/certificates/${fp}`]);
  });

  test('refuses a charm-managed peer entry unless forced', async () => {
    const { lxd, run } = await trusted();
    const fp = fingerprintOf(pem(3));
    const refused = await run('remove-trusted-client', { fingerprint: fp, force: false });
    expect(refused.failed).toBe(
      'juju-lxd-1-nova is managed by the charm for an lxd-migration peer (migrations to this host need it, and the next hook adds it back); pass force=true to remove it anyway',
    );
    expect(lxd.trust.has(fp)).toBe(true);
    const forced = await run('remove-trusted-client', { fingerprint: fp, force: true });
    expect(forced.results).toMatchObject({ name: 'juju-lxd-1-nova', result: expect.stringMatching(/^removed \(charm-managed/) });
    expect(lxd.trust.has(fp)).toBe(false);
  });

  test('refuses a malformed or unknown fingerprint, saying where to look', async () => {
    const { lxd, run } = await trusted();
    expect((await run('remove-trusted-client', { fingerprint: 'abc', force: false })).failed).toMatch(/^fingerprint is not a SHA-256 fingerprint: give the 64 hex digits/);
    expect((await run('remove-trusted-client', { fingerprint: `sha1 Fingerprint=${'AB:'.repeat(19)}AB`, force: false })).failed).toMatch(/^fingerprint is not a SHA-256/);
    expect((await run('remove-trusted-client', { fingerprint: '0'.repeat(64), force: false })).failed).toBe(`no trusted certificate has fingerprint ${'00:'.repeat(31)}00; list-trusted-clients shows them`);
    expect((await run('remove-trusted-client', {})).failed).toMatch(/^invalid parameters: missing parameter "fingerprint"/);
    expect((await run('remove-trusted-client', { fingerprint: 'x', force: 'yes' })).failed).toMatch(/^invalid parameters: force must be boolean/);
    expect(lxd.writes).toEqual([]);
  });
});

describe('list-trusted-clients', () => {
  test('lists every entry with its restrictions and whether the charm manages it', async () => {
    const { lxd, run } = makeWorld();
    expect((await run('list-trusted-clients')).results).toEqual({ count: '0' });
    await run('add-trusted-client', { cert: pem(4), name: 'zed', projects: 'nova' });
    await lxd.addTrustEntry({ name: 'juju-lxd-2-root', derBase64: Buffer.from(pem(5).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64').toString('base64'), projects: [] });
    const out = await run('list-trusted-clients');
    expect(out.failed).toBeNull();
    expect(out.results).toEqual({
      count: '2',
      'clients.0.name': 'juju-lxd-2-root',
      'clients.0.fingerprint': fingerprintOf(pem(5)),
      'clients.0.type': 'client',
      'clients.0.restrictions': 'unrestricted',
      'clients.0.managed-by-charm': 'true',
      'clients.1.name': 'zed',
      'clients.1.fingerprint': fingerprintOf(pem(4)),
      'clients.1.type': 'client',
      'clients.1.restrictions': 'projects: nova',
      'clients.1.managed-by-charm': 'false',
    });
  });

  test('an LXD that does not answer fails the action with what to check', async () => {
    const { lxd, run } = makeWorld();
    lxd.trustEntries = async () => {
      throw new (await import('../../../src/lxd/lxd-api')).LxdApiError(0, 'GET', '/1.0/certificates', 'cannot reach LXD at /fake/unix.socket: connect ENOENT');
    };
    expect((await run('list-trusted-clients')).failed).toBe(
      'LXD GET /1.0/certificates failed (0): cannot reach LXD at /fake/unix.socket: connect ENOENT; check that LXD runs on this unit (show-config) and try again',
    );
  });
});

describe('get-client-token', () => {
  test('returns a one-time token for the named client, and never logs it', async () => {
    const { lxd, run } = makeWorld();
    await lxd.patchServerConfig({ 'core.https_address': '[::]:8443' });
    const out = await run('get-client-token', { name: 'laptop', projects: 'nova' });
    expect(out.failed).toBeNull();
    const decoded = JSON.parse(Buffer.from(out.results.token ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
    expect(decoded).toMatchObject({ client_name: 'laptop', secret: lxd.tokens[0]?.secret });
    expect(out.results).toMatchObject({ name: 'laptop', projects: 'nova', 'expires-at': 'never (single use)', 'operation-id': 'op-1' });
    expect(lxd.tokens).toEqual([{ name: 'laptop', projects: ['nova'], secret: expect.any(String) }]);
    expect(out.logs).not.toContain(out.results.token);
    expect(out.logs).not.toContain(lxd.tokens[0]?.secret);
  });

  test('names the client after the time when no name is given', async () => {
    const { lxd, run } = makeWorld();
    await lxd.patchServerConfig({ 'core.https_address': '[::]:8443' });
    expect((await run('get-client-token')).results.name).toBe('client-19700101-000000');
  });

  test('fails clearly where LXD has no tokens or no network listener', async () => {
    const old = makeWorld({ version: '4.0.9', extensions: ['etag', 'network'] });
    expect((await old.run('get-client-token')).failed).toBe(
      'LXD 4.0.9 has no certificate tokens (API extension certificate_token, LXD 4.23+): use add-trusted-client with the client\'s certificate instead',
    );
    const quiet = makeWorld();
    expect((await quiet.run('get-client-token')).failed).toMatch(/^LXD is not listening on the network/);
    expect([...old.lxd.tokens, ...quiet.lxd.tokens]).toEqual([]);
  });
});
