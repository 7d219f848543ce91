// The https relation (interface lxd-https, as canonical/charm-lxd defines it), pure: a client publishes
// version=1.0, its certificate and optionally projects (comma-separated) in its unit bag, or in its app
// bag when it is one client for all its units; this charm trusts that certificate in LXD (restricted to
// the projects when given) and answers with version, certificate, certificate_fingerprint and addresses.
import { X509Certificate } from 'node:crypto';
import type { Bag, RelationId } from '../juju/hook-tools';
import { parseCertificate, type Certificate } from '../lxd/certificates';

export const HTTPS_ENDPOINT = 'https';
export const HTTPS_VERSION = '1.0';
/** the trust entries this endpoint owns, named as canonical/charm-lxd names them: juju-relation-<unit or app> */
export const HTTPS_TRUST_PREFIX = 'juju-relation-';

export interface HttpsClient {
  readonly relationId: RelationId;
  /** the unit (or, for an app bag, the application) that published the certificate */
  readonly member: string;
  /** the LXD trust entry's name */
  readonly name: string;
  readonly cert: Certificate;
  /** empty: unrestricted */
  readonly projects: readonly string[];
}

export interface HttpsRelation {
  readonly ids: readonly RelationId[];
  /** clients whose data is valid: their certificates are to be trusted */
  readonly clients: readonly HttpsClient[];
  /** trust entry names of clients whose data was refused: whatever LXD has for them stays as it is */
  readonly untouched: readonly string[];
  /** an https relation hook: the trust store is read even when the remembered trust matches */
  readonly recheck: boolean;
}

export const NO_HTTPS: HttpsRelation = { ids: [], clients: [], untouched: [], recheck: false };

export const httpsTrustName = (member: string): string => `${HTTPS_TRUST_PREFIX}${member}`;

const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export type ClientBagResult =
  | { readonly kind: 'client'; readonly cert: Certificate; readonly projects: readonly string[] }
  /** nothing of the interface published yet */
  | { readonly kind: 'empty' }
  | { readonly kind: 'refused'; readonly key: string; readonly why: string };

/** keyUsage (2.5.29.15): OID, optional critical flag, then OCTET STRING { BIT STRING } */
const KEY_USAGE = /\x06\x03\x55\x1d\x0f(?:\x01\x01\xff)?\x04[\x03-\x04]\x03[\x02-\x03][\x00-\x07]([\s\S])/;
const KEY_CERT_SIGN = 0x04;

/**
 * A certificate authority's certificate: CA:TRUE and made to sign certificates (keyUsage keyCertSign).
 * CA:TRUE alone is no sign of one: lxc's own client certificates and `openssl req -x509` ones carry it.
 */
export function isSigningCa(der: Buffer): boolean {
  if (!new X509Certificate(der).ca) return false;
  const usage = KEY_USAGE.exec(der.toString('latin1'))?.[1];
  return usage !== undefined && (usage.charCodeAt(0) & KEY_CERT_SIGN) !== 0;
}

/** A client's bag: the certificate and projects to trust, nothing yet, or which key is wrong and why. */
export function parseClientBag(bag: Bag): ClientBagResult {
  const version = bag.version ?? '';
  const certificate = bag.certificate ?? '';
  if (version === '' && certificate === '' && (bag.projects ?? '') === '') return { kind: 'empty' };
  if (version !== HTTPS_VERSION) return { kind: 'refused', key: 'version', why: `is ${JSON.stringify(version.slice(0, 20))}, this charm speaks lxd-https version ${HTTPS_VERSION}` };
  if (certificate === '') return { kind: 'refused', key: 'certificate', why: 'is missing' };
  const parsed = parseCertificate(certificate);
  if ('error' in parsed) return { kind: 'refused', key: 'certificate', why: parsed.error };
  if (isSigningCa(Buffer.from(parsed.ok.derBase64, 'base64'))) {
    return { kind: 'refused', key: 'certificate', why: 'is a CA certificate (CA:TRUE with keyUsage keyCertSign), not a client certificate' };
  }
  const projects = (bag.projects ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const bad = projects.filter((p) => !PROJECT.test(p));
  if (bad.length > 0) return { kind: 'refused', key: 'projects', why: `${bad.map((p) => JSON.stringify(p.slice(0, 40))).join(', ')} is not an LXD project name` };
  return { kind: 'client', cert: parsed.ok, projects: [...new Set(projects)].sort() };
}

/** What the trust of one client is, as remembered in charm state: "<fingerprint>|<projects>". */
export const trustKey = (fingerprint: string, projects: readonly string[]): string => `${fingerprint}|${[...projects].sort().join(',')}`;

/**
 * Trust entry name → its key: the clients' certificates (one entry per certificate: a certificate two
 * members publish goes to the first name), plus what is remembered for refused clients (kept as is).
 */
export function wantedTrust(https: HttpsRelation, remembered: Readonly<Record<string, string>>): Map<string, HttpsClient | string> {
  const wanted = new Map<string, HttpsClient | string>();
  const seen = new Set<string>();
  for (const client of [...https.clients].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (seen.has(client.cert.fingerprint) || wanted.has(client.name)) continue;
    seen.add(client.cert.fingerprint);
    wanted.set(client.name, client);
  }
  for (const name of https.untouched) {
    const kept = remembered[name];
    if (kept !== undefined && !wanted.has(name)) wanted.set(name, kept);
  }
  return wanted;
}

/** The bag this unit publishes on a relation with trusted clients. */
export function serverBag(certificatePem: string, fingerprint: string, addresses: readonly string[]): Bag {
  return { version: HTTPS_VERSION, certificate: certificatePem, certificate_fingerprint: fingerprint, addresses: addresses.join(',') };
}
