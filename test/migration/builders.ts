// Builders for migration tests: peer bags as units publish them, from fixture certificates.
import { X509Certificate } from 'node:crypto';
import fixtures from './fixtures/certs.json';
import type { Bag } from '../../src/juju/hook-tools';
import { parsePeerBag, resolvePeers, toBag, type PeerSet } from '../../src/model/peer-record';
import type { RememberedPeer } from '../../src/model/peer-memory';

const CERTS: readonly string[] = fixtures.certs;

export const cert = (i: number): string => {
  const pem = CERTS[i];
  if (pem === undefined) throw new Error(`no fixture certificate ${i}`);
  return pem;
};

/** Serial number of certificate 0 rewritten to `i`: a distinct certificate (and fingerprint) for any i.
 * Its signature no longer verifies; nothing in the charm verifies a peer's self-signature. */
export function syntheticCert(i: number): string {
  const der = Buffer.from(cert(0).replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');
  const serial = der.indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x14]));
  if (serial < 0) throw new Error('fixture certificate 0 has no 20-byte serial where expected');
  der.writeUInt32BE(i, serial + 7 + 16);
  const lines = new X509Certificate(der).raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Unit n's certificates: server n, root's client 13+n, nova's client 26+n (n ≤ 12); synthetic beyond. */
export const serverCertOf = (n: number): string => (n <= 12 ? cert(n) : syntheticCert(3 * n));
export const clientCertOf = (n: number, user: 'root' | 'nova'): string => (n <= 12 ? cert(user === 'root' ? 13 + n : 26 + n) : syntheticCert(3 * n + (user === 'root' ? 1 : 2)));

export const hostOf = (n: number): string => `juju-host-${n}`;
export const addressOf = (n: number): string => `10.0.${Math.floor((10 + n) / 250)}.${(10 + n) % 250}`;

/** The bag unit lxd/n publishes, with Juju's pre-filled keys, and any key overridden ("" drops it). */
export function peerBag(n: number, overrides: Readonly<Record<string, string>> = {}): Bag {
  const bag: Record<string, string> = {
    'private-address': addressOf(n),
    'ingress-address': addressOf(n),
    'egress-subnets': `${addressOf(n)}/32`,
    ...toBag({ hostname: hostOf(n), address: addressOf(n), port: 8443, serverCertPem: serverCertOf(n), clientCertPems: { root: clientCertOf(n, 'root'), nova: clientCertOf(n, 'nova') } }),
    ...overrides,
  };
  for (const key of Object.keys(bag)) if (bag[key] === '') delete bag[key];
  return bag;
}

/** What an OpenStack lxd charm unit publishes. */
export function legacyBag(n: number, overrides: Readonly<Record<string, string>> = {}): Bag {
  const bag: Record<string, string> = { 'private-address': addressOf(n), password: `pw${n}-abcdefghijklmn`, hostname: hostOf(n), address: addressOf(n), pool: 'lxd', ...overrides };
  for (const key of Object.keys(bag)) if (bag[key] === '') delete bag[key];
  return bag;
}

export const unit = (n: number): string => `lxd/${n}`;

/** Bags of units 1..count (this unit being lxd/0). */
export const peerBags = (count: number): Map<string, Bag> => new Map(Array.from({ length: count }, (_, i) => [unit(i + 1), peerBag(i + 1)]));

/** Every bag parsed and resolved as the wiring does, for this unit (juju-host-0). */
export const peerSetOf = (bags: ReadonlyMap<string, Bag>, remembered: ReadonlyMap<string, RememberedPeer> = new Map()): PeerSet =>
  resolvePeers(hostOf(0), new Map([...bags].map(([unit, bag]) => [unit, parsePeerBag(unit, bag)])), remembered);
