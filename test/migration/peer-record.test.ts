import type { Bag } from '../../src/juju/hook-tools';
import { changedDigests, parsePeerBag, describeRefusal, recordDigest, toBag, LEGACY_PORT } from '../../src/model/peer-record';
import { cert, clientCertOf, hostOf, legacyBag, peerBag, peerBags, serverCertOf, unit , peerSetOf } from './builders';

const refusedFields = (bag: Readonly<Record<string, string>>): string[] => {
  const result = parsePeerBag('lxd/1', bag);
  if (!('refused' in result)) throw new Error(`expected a refusal, got ${JSON.stringify(Object.keys(result))}`);
  for (const p of result.refused) expect(p.peer).toBe('lxd/1');
  return result.refused.map((p) => p.field);
};

const keyPem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const garbagePem = '-----BEGIN CERTIFICATE-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n';

describe('a current peer record', () => {
  test('parses into typed, null-prototype values with canonical certificates', () => {
    const result = parsePeerBag('lxd/1', peerBag(1));
    if (!('ok' in result)) throw new Error(JSON.stringify(result));
    const record = result.ok;
    expect(record).toMatchObject({ unit: 'lxd/1', hostname: 'juju-host-1', address: '10.0.0.11', port: 8443 });
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(Object.getPrototypeOf(record.clientCerts)).toBeNull();
    expect(record.serverCert.pem).toBe(serverCertOf(1));
    expect(Object.keys(record.clientCerts).sort()).toEqual(['nova', 'root']);
    expect(record.clientCerts.nova?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(record.clientCerts.nova?.derBase64 ?? '', 'base64').length).toBeGreaterThan(100);
  });

  test('accepts an IPv6 address and ignores keys it does not know', () => {
    const result = parsePeerBag('lxd/1', peerBag(1, { address: 'fd42::7', 'some-future-key': 'x'.repeat(100_000) }));
    expect('ok' in result && result.ok.address).toBe('fd42::7');
  });

  test('an empty bag (joined, nothing published) is pending, not refused', () => {
    expect(parsePeerBag('lxd/1', { 'private-address': '10.0.0.11' })).toEqual({ pending: 'lxd/1' });
  });

  test('toBag writes client certs as sorted-key JSON, so republishing is byte-identical', () => {
    const a = toBag({ hostname: 'h', address: '10.0.0.1', port: 8443, serverCertPem: cert(0), clientCertPems: { root: cert(1), nova: cert(2) } });
    const b = toBag({ hostname: 'h', address: '10.0.0.1', port: 8443, serverCertPem: cert(0), clientCertPems: { nova: cert(2), root: cert(1) } });
    expect(a).toEqual(b);
    expect(Object.keys(JSON.parse(a['client-certs'] ?? '{}') as object)).toEqual(['nova', 'root']);
  });
});

describe('hostile or broken records are refused, naming the field', () => {
  const cases: ReadonlyArray<[string, Readonly<Record<string, string>>, string[]]> = [
    ['a hostname that looks like an option', { hostname: '--help' }, ['hostname']],
    ['a hostname with a colon', { hostname: 'evil:remote' }, ['hostname']],
    ['a hostname with shell metacharacters', { hostname: 'a;rm -rf /' }, ['hostname']],
    ['a hostname with a command substitution', { hostname: '$(reboot)' }, ['hostname']],
    ['a hostname with whitespace', { hostname: 'two words' }, ['hostname']],
    ['a hostname with a newline', { hostname: 'host\nERROR injected' }, ['hostname']],
    ['a hostname with a slash (a path in servercerts/)', { hostname: '../../etc/passwd' }, ['hostname']],
    ['a hostname that is too long', { hostname: 'h'.repeat(64) }, ['hostname']],
    ['a hostname shadowing lxc\'s own remote', { hostname: 'local' }, ['hostname']],
    ['a hostname shadowing the images remote (any case)', { hostname: 'Images' }, ['hostname']],
    ['an address that is a host name', { address: 'evil.example.com' }, ['address']],
    ['an address already in brackets', { address: '[fd42::7]' }, ['address']],
    ['an address with a port', { address: '10.0.0.1:8443' }, ['address']],
    ['an address with an IPv6 zone', { address: 'fe80::1%eth0' }, ['address']],
    ['the unspecified address', { address: '0.0.0.0' }, ['address']],
    ['a multicast address', { address: 'ff02::1' }, ['address']],
    ['an address with a leading zero octet', { address: '10.0.0.011' }, ['address']],
    ['port 0', { port: '0' }, ['port']],
    ['a port above 65535', { port: '65536' }, ['port']],
    ['a negative port', { port: '-1' }, ['port']],
    ['a port with text', { port: '8443; reboot' }, ['port']],
    ['a server certificate that is a private key', { 'server-cert': keyPem }, ['server-cert']],
    ['a server certificate that is garbage in PEM armour', { 'server-cert': garbagePem }, ['server-cert']],
    ['two certificates in one field', { 'server-cert': cert(1) + cert(2) }, ['server-cert']],
    ['a huge server certificate', { 'server-cert': 'A'.repeat(1_000_000) }, ['server-cert']],
    ['client certs that are not JSON', { 'client-certs': '{root:' }, ['client-certs']],
    ['client certs that are a JSON array', { 'client-certs': JSON.stringify([cert(1)]) }, ['client-certs']],
    ['client certs with a bad user name', { 'client-certs': JSON.stringify({ 'Bad User': cert(1) }) }, ['client-certs']],
    ['client certs keyed __proto__ with a non-certificate', { 'client-certs': '{"__proto__": "x"}' }, ['client-certs/__proto__']],
    ['a client cert that does not parse', { 'client-certs': JSON.stringify({ nova: garbagePem }) }, ['client-certs/nova']],
    ['too many client certs', { 'client-certs': JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`u${i}`, cert(1)]))) }, ['client-certs']],
    ['a huge client certs value', { 'client-certs': JSON.stringify({ nova: 'A'.repeat(70_000) }) }, ['client-certs']],
    ['an unknown version', { version: '2' }, ['version']],
    ['a missing address and port', { address: '', port: '' }, ['address', 'port']],
  ];

  test.each(cases)('%s', (_title, overrides, fields) => {
    expect(refusedFields(peerBag(1, overrides)).sort()).toEqual([...fields].sort());
  });

  test('a __proto__ key lands as a plain entry of a null-prototype map and pollutes nothing', () => {
    const result = parsePeerBag('lxd/1', peerBag(1, { 'client-certs': JSON.stringify({ root: cert(14) }).replace('"root"', '"__proto__"') }));
    if (!('ok' in result)) throw new Error(JSON.stringify(result));
    expect(Object.keys(result.ok.clientCerts)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).fingerprint).toBeUndefined();
  });

  test('every problem is reported at once', () => {
    expect(refusedFields(peerBag(1, { hostname: '--help', address: 'nope', port: '99999' })).sort()).toEqual(['address', 'hostname', 'port']);
  });

  test('the log line names the peer and the field, and escapes the hostile value', () => {
    const result = parsePeerBag('lxd/1', peerBag(1, { hostname: 'x\nERROR fake line' }));
    const line = 'refused' in result ? describeRefusal('lxd/1', result.refused) : '';
    expect(line).toMatch(/^peer lxd\/1 refused: hostname "x\\nERROR fake line" is not a valid remote name/);
    expect(line).not.toContain('\n');
  });
});

describe('legacy peers (OpenStack lxd charm)', () => {
  test('publishing password, hostname, address and pool parse as a legacy peer on port 8443', () => {
    const result = parsePeerBag('lxd/4', legacyBag(4));
    expect(result).toEqual({ legacy: { unit: 'lxd/4', hostname: hostOf(4), address: '10.0.0.14', port: LEGACY_PORT, password: 'pw4-abcdefghijklmn', pool: 'lxd' } });
  });

  test('a legacy bag without a password is not acted on yet, like the legacy charm', () => {
    expect(parsePeerBag('lxd/4', legacyBag(4, { password: '' }))).toEqual({ pending: 'lxd/4' });
  });

  test.each([
    ['an option-like hostname', { hostname: '-rf' }, 'hostname'],
    ['a host name as address', { address: 'node4.maas' }, 'address'],
    ['a password with a newline', { password: 'a\nb' }, 'password'],
    ['a huge password', { password: 'p'.repeat(300) }, 'password'],
  ])('refuses %s', (_title, overrides, field) => {
    expect(refusedFields(legacyBag(1, overrides))).toEqual([field]);
  });

  test('a refusal never repeats the password', () => {
    const result = parsePeerBag('lxd/1', legacyBag(1, { password: 'secret\u0001value' }));
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  test('a bag with a version is read as a current record even when it also carries legacy keys', () => {
    expect('ok' in parsePeerBag('lxd/1', peerBag(1, { password: 'for-legacy-peers', pool: 'lxd' }))).toBe(true);
  });
});

describe('parsing every peer', () => {
  test('a bad peer is refused and the others are still used', () => {
    const bags = peerBags(4);
    bags.set(unit(2), peerBag(2, { hostname: '--help' }));
    bags.set(unit(5), legacyBag(5));
    bags.set(unit(6), { 'private-address': '10.0.0.16' });
    const set = peerSetOf(bags);
    expect(set.records.map((r) => r.unit)).toEqual(['lxd/1', 'lxd/3', 'lxd/4']);
    expect(set.legacy.map((r) => r.unit)).toEqual(['lxd/5']);
    expect([...set.refused.keys()]).toEqual(['lxd/2']);
    expect(set.pending).toEqual(['lxd/6']);
  });

  test('two peers claiming one remote name are both refused, naming each other', () => {
    const bags = peerBags(3);
    bags.set(unit(3), peerBag(3, { hostname: 'JUJU-HOST-1' }));
    const set = peerSetOf(bags);
    expect(set.records.map((r) => r.unit)).toEqual(['lxd/2']);
    expect(set.refused.get('lxd/1')).toEqual([{ peer: 'lxd/1', field: 'hostname', message: '"juju-host-1" collides with the remote name of lxd/3' }]);
    expect(set.refused.get('lxd/3')?.[0]?.message).toContain('lxd/1');
  });

  test('a legacy peer colliding with a current one is refused too', () => {
    const bags = peerBags(2);
    bags.set(unit(3), legacyBag(3, { hostname: hostOf(2) }));
    expect([...peerSetOf(bags).refused.keys()].sort()).toEqual(['lxd/2', 'lxd/3']);
  });

  test('a peer claiming this unit\'s own host name is refused', () => {
    const bags = peerBags(2);
    bags.set(unit(2), peerBag(2, { hostname: hostOf(0) }));
    expect(peerSetOf(bags).refused.get('lxd/2')?.[0]?.message).toContain('this unit');
  });

  test('units sort numerically, so lxd/10 comes after lxd/9', () => {
    const set = peerSetOf(peerBags(12));
    expect(set.records.map((r) => r.unit).slice(-3)).toEqual(['lxd/10', 'lxd/11', 'lxd/12']);
    expect(clientCertOf(12, 'nova')).toBeDefined();
  });
});

const digestsOf = (bags: ReadonlyMap<string, Bag>): Map<string, string> => new Map([...bags].map(([u, b]) => [u, recordDigest(b)]));

describe('which peers changed since the last hook', () => {
  test('nothing changed: empty scope; Juju\'s own keys do not count', () => {
    const { digests } = changedDigests({}, digestsOf(peerBags(3)));
    const again = peerBags(3);
    again.set(unit(2), { ...peerBag(2), 'ingress-address': '10.7.7.7' });
    expect(changedDigests(digests, digestsOf(again)).scope).toEqual(new Set());
  });

  test('a changed, a new and a gone peer are in scope, and only they', () => {
    const { digests } = changedDigests({}, digestsOf(peerBags(3)));
    const next = peerBags(4);
    next.set(unit(1), peerBag(1, { address: '10.9.9.9' }));
    next.delete(unit(3));
    expect(changedDigests(digests, digestsOf(next)).scope).toEqual(new Set(['lxd/1', 'lxd/3', 'lxd/4']));
  });
});
