// Builders for migration tests: peer bags as units publish them, from fixture certificates.
import fixtures from './fixtures/certs.json';
import type { Bag } from '../../src/juju/hook-tools';
import { toBag } from '../../src/migration/peer-record';

const CERTS: readonly string[] = fixtures.certs;

export const cert = (i: number): string => {
  const pem = CERTS[i];
  if (pem === undefined) throw new Error(`no fixture certificate ${i}`);
  return pem;
};

/** Unit n's certificates: server n, root's client 13+n, nova's client 26+n (n ≤ 12). */
export const serverCertOf = (n: number): string => cert(n);
export const clientCertOf = (n: number, user: 'root' | 'nova'): string => cert(user === 'root' ? 13 + n : 26 + n);

export const hostOf = (n: number): string => `juju-host-${n}`;
export const addressOf = (n: number): string => `10.0.0.${10 + n}`;

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
