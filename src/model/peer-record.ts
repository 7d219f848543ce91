// The versioned record each unit publishes in its own lxd-migration bag, and the parse of a peer's bag:
// schema (standalone ajv) first, then the rules a schema cannot say. Parsed data lands in null-prototype
// objects; a bad record is refused with every problem, naming the peer and the field.
import { LEGACY_KEYS, RECORD_KEYS } from './peer-digest';
import { ipFamily } from '../lxd/ip-address';
import type { Bag, UnitName } from '../juju/hook-tools';
import { parseCertificate, type Certificate } from '../lxd/certificates';
import type { PeerSummary, RememberedPeer } from './peer';
import { validateClientCerts, validateLegacyPeer, validatePeerRecordV1, type SchemaError, type Validator } from './peer-validators.generated';
import { byUnit } from '../model/order';

/** A peer's current record, as parsed and checked. */
export interface PeerRecord {
  readonly unit: UnitName;
  readonly hostname: string;
  readonly address: string;
  readonly port: number;
  readonly serverCert: Certificate;
  /** local user → that user's client certificate (null prototype) */
  readonly clientCerts: Readonly<Record<string, Certificate>>;
}

/** A peer running the OpenStack lxd charm: it joins by trust password and pins nothing. */
export interface LegacyPeer {
  readonly unit: UnitName;
  readonly hostname: string;
  readonly address: string;
  readonly port: number;
  /** a secret: never logged, never in a plan */
  readonly password: string;
  readonly pool: string | null;
}

export interface PeerProblem {
  readonly peer: UnitName;
  readonly field: string;
  readonly message: string;
}

export type PeerParse =
  | { readonly ok: PeerRecord }
  | { readonly legacy: LegacyPeer }
  | { readonly refused: readonly PeerProblem[] }
  /** joined, nothing published yet */
  | { readonly pending: UnitName };

export const PEER_RECORD_VERSION = '1';
/** the port legacy charms listen on and dial: they have no key for it */
export const LEGACY_PORT = 8443;

export { LEGACY_KEYS, RECORD_KEYS, recordDigest } from './peer-digest';

/** Remote names lxc ships with: a peer may not shadow them. */
const RESERVED_REMOTES = new Set(['local', 'images', 'ubuntu', 'ubuntu-daily', 'ubuntu-minimal', 'ubuntu-minimal-daily']);
const FIELD_RULES: Readonly<Record<string, string>> = {
  hostname: 'is not a valid remote name (letters, digits, ".", "_", "-"; not starting with "-" or ".")',
  port: 'is not a port number',
  password: 'has characters other than printable ASCII',
};

/** A value for a log line: quoted, control characters escaped, cut short. Never used for secrets. */
export const shown = (value: string): string => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

function schemaProblems(peer: UnitName, errors: readonly SchemaError[] | null | undefined, bag: Readonly<Record<string, string>>, prefix = ''): PeerProblem[] {
  return (errors ?? []).map((err) => {
    const missing = err.keyword === 'required' ? String(err.params.missingProperty) : null;
    const path = err.instancePath.replace(/~1/g, '/').replace(/~0/g, '~');
    const field = missing ?? (prefix ? prefix + path : path.replace(/^\//, ''));
    if (missing) return { peer, field, message: 'is missing' };
    if (err.keyword === 'maxLength' || err.keyword === 'maxProperties') return { peer, field, message: `is too large (limit ${String(err.params.limit)})` };
    if (err.keyword === 'pattern' || err.keyword === 'propertyNames') {
      const value = bag[field];
      const rule = FIELD_RULES[field] ?? (err.keyword === 'propertyNames' ? `has a user name that is not valid: ${shown(String(err.params.propertyName))}` : 'has an invalid format');
      return { peer, field, message: field === 'password' || value === undefined ? rule : `${shown(value)} ${rule}` };
    }
    return { peer, field, message: err.message ?? err.keyword };
  });
}

/** Copies the keys we read into a null-prototype object: nothing in the bag reaches a prototype. */
function pick(bag: Bag, keys: readonly string[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key of keys) if (Object.prototype.hasOwnProperty.call(bag, key)) out[key] = bag[key] as string;
  return out;
}

function checkAddress(peer: UnitName, address: string, problems: PeerProblem[]): void {
  const family = ipFamily(address);
  if (family === 0 || address.includes('%')) problems.push({ peer, field: 'address', message: `${shown(address)} is not an IPv4 or IPv6 address` });
  else if (/^(0\.0\.0\.0|::)$/.test(address) || /^(22[4-9]|23\d)\./.test(address) || /^ff/i.test(address)) {
    problems.push({ peer, field: 'address', message: `${shown(address)} is not a unicast address` });
  }
}

function checkHostname(peer: UnitName, hostname: string, problems: PeerProblem[]): void {
  if (RESERVED_REMOTES.has(hostname.toLowerCase())) problems.push({ peer, field: 'hostname', message: `${shown(hostname)} is a remote name lxc reserves` });
}

function checkCertificate(peer: UnitName, field: string, pem: string, problems: PeerProblem[]): Certificate | null {
  const parsed = parseCertificate(pem);
  if ('ok' in parsed) return parsed.ok;
  problems.push({ peer, field, message: parsed.error });
  return null;
}

function run(validate: Validator, data: unknown): readonly SchemaError[] | null {
  return validate(data) ? null : (validate.errors ?? []);
}

function parseClientCerts(peer: UnitName, text: string, problems: PeerProblem[]): Record<string, Certificate> {
  const certs = Object.create(null) as Record<string, Certificate>;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push({ peer, field: 'client-certs', message: 'is not JSON' });
    return certs;
  }
  const map = json !== null && typeof json === 'object' && !Array.isArray(json) ? pick(json as Bag, Object.keys(json)) : json;
  const errors = run(validateClientCerts, map);
  if (errors) {
    problems.push(...schemaProblems(peer, errors.filter((e) => !(e.keyword === 'pattern' && e.instancePath === '')), {}, 'client-certs'));
    return certs;
  }
  for (const [user, pem] of Object.entries(map as Record<string, string>)) {
    const cert = checkCertificate(peer, `client-certs/${user}`, pem, problems);
    if (cert) certs[user] = cert;
  }
  return certs;
}

function parseRecord(peer: UnitName, bag: Bag): PeerParse {
  const raw = pick(bag, RECORD_KEYS);
  if (raw.version !== PEER_RECORD_VERSION) {
    return { refused: [{ peer, field: 'version', message: `${shown(raw.version ?? '')} is not a record version this charm reads (${PEER_RECORD_VERSION})` }] };
  }
  const problems = schemaProblems(peer, run(validatePeerRecordV1, raw), raw);
  const bad = new Set(problems.map((p) => p.field));
  const { hostname = '', address = '', port = '' } = raw;
  if (!bad.has('hostname')) checkHostname(peer, hostname, problems);
  if (!bad.has('address')) checkAddress(peer, address, problems);
  if (!bad.has('port') && (Number(port) < 1 || Number(port) > 65535)) problems.push({ peer, field: 'port', message: `${port} is out of range (1-65535)` });
  const serverCert = bad.has('server-cert') ? null : checkCertificate(peer, 'server-cert', raw['server-cert'] ?? '', problems);
  const clientCerts = bad.has('client-certs') ? null : parseClientCerts(peer, raw['client-certs'] ?? '', problems);
  if (problems.length > 0 || !serverCert || !clientCerts) return { refused: problems };
  return { ok: Object.assign(Object.create(null) as object, { unit: peer, hostname, address, port: Number(port), serverCert, clientCerts }) };
}

function parseLegacy(peer: UnitName, bag: Bag): PeerParse {
  const raw = pick(bag, LEGACY_KEYS);
  const problems = schemaProblems(peer, run(validateLegacyPeer, raw), raw);
  const bad = new Set(problems.map((p) => p.field));
  const { hostname = '', address = '', password = '' } = raw;
  if (!bad.has('hostname')) checkHostname(peer, hostname, problems);
  if (!bad.has('address')) checkAddress(peer, address, problems);
  if (problems.length > 0) return { refused: problems };
  return { legacy: Object.assign(Object.create(null) as object, { unit: peer, hostname, address, port: LEGACY_PORT, password, pool: raw.pool || null }) };
}

/** One peer's bag: a current record, a legacy peer, refused, or nothing published yet. */
export function parsePeerBag(peer: UnitName, bag: Bag): PeerParse {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(bag, key) && bag[key] !== '';
  if (has('version')) return parseRecord(peer, bag);
  // no version: the OpenStack charm's keys, which it acts on only once a password is set (so do we)
  return has('password') ? parseLegacy(peer, bag) : { pending: peer };
}

/** Every peer's bag parsed, with remote names that collide (with each other or this unit) refused. */
export interface PeerSet {
  readonly records: readonly PeerRecord[];
  readonly legacy: readonly LegacyPeer[];
  /** peers taken from this unit's memory, not read this hook: wired earlier, their names still count */
  readonly known: readonly PeerSummary[];
  readonly refused: ReadonlyMap<UnitName, readonly PeerProblem[]>;
  readonly pending: readonly UnitName[];
}

export { byUnit };

const REMEMBERED_REFUSAL = 'was refused when its record last changed (the log says why)';

/** Peers parsed this hook and peers remembered from earlier ones, with colliding remote names refused. */
export function resolvePeers(myHostname: string, parsedBags: ReadonlyMap<UnitName, PeerParse>, remembered: ReadonlyMap<UnitName, RememberedPeer> = new Map()): PeerSet {
  type Entry = PeerParse | { readonly known: PeerSummary };
  const entries = new Map<UnitName, Entry>(parsedBags);
  for (const [unit, peer] of remembered) {
    if (entries.has(unit)) continue;
    entries.set(unit, 'summary' in peer ? { known: peer.summary } : 'pending' in peer ? { pending: unit } : { refused: [{ peer: unit, field: 'record', message: REMEMBERED_REFUSAL }] });
  }
  const parsed = [...entries].sort(([a], [b]) => byUnit(a, b));
  const named = (result: Entry): { readonly hostname: string } | null => ('ok' in result ? result.ok : 'legacy' in result ? result.legacy : 'known' in result ? result.known : null);
  const byName = new Map<string, UnitName[]>();
  for (const [unit, result] of parsed) {
    const peer = named(result);
    if (peer) byName.set(peer.hostname.toLowerCase(), [...(byName.get(peer.hostname.toLowerCase()) ?? []), unit]);
  }
  const records: PeerRecord[] = [];
  const legacy: LegacyPeer[] = [];
  const known: PeerSummary[] = [];
  const refused = new Map<UnitName, readonly PeerProblem[]>();
  const pending: UnitName[] = [];
  for (const [unit, result] of parsed) {
    if ('refused' in result) refused.set(unit, result.refused);
    else if ('pending' in result) pending.push(unit);
    else {
      const peer = named(result) ?? { hostname: '' };
      const sharing = (byName.get(peer.hostname.toLowerCase()) ?? []).filter((u) => u !== unit);
      if (peer.hostname.toLowerCase() === myHostname.toLowerCase()) sharing.push('this unit');
      if (sharing.length > 0) refused.set(unit, [{ peer: unit, field: 'hostname', message: `${shown(peer.hostname)} collides with the remote name of ${sharing.join(', ')}` }]);
      else if ('ok' in result) records.push(result.ok);
      else if ('legacy' in result) legacy.push(result.legacy);
      else if ('known' in result) known.push(result.known);
    }
  }
  return { records, legacy, known, refused, pending };
}

/** One log line per refused peer. */
export const describeRefusal = (peer: UnitName, problems: readonly PeerProblem[]): string =>
  `peer ${peer} refused: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`;

/** What this unit publishes (before JSON): its own record's raw values. */
export interface OwnRecord {
  readonly hostname: string;
  readonly address: string;
  readonly port: number;
  readonly serverCertPem: string;
  /** user → client certificate PEM */
  readonly clientCertPems: Readonly<Record<string, string>>;
}

/** The bag keys of a record, as strings, client certs as sorted-key JSON (stable: no relation churn). */
export function toBag(record: OwnRecord): Record<string, string> {
  const certs = Object.fromEntries(Object.keys(record.clientCertPems).sort().map((u) => [u, record.clientCertPems[u] as string]));
  return {
    version: PEER_RECORD_VERSION,
    hostname: record.hostname,
    address: record.address,
    port: String(record.port),
    'server-cert': record.serverCertPem,
    'client-certs': JSON.stringify(certs),
  };
}

/**
 * The peers whose record digests differ from the ones remembered after the last successful hook (new,
 * changed or gone): the scope for planRemoteChanges. Store `digests` in charm state afterwards.
 * `current`: a bag read this hook (recordDigest) or a peer's remembered digest.
 */
export function changedDigests(remembered: Readonly<Record<UnitName, string>>, current: ReadonlyMap<UnitName, string>): { readonly scope: ReadonlySet<UnitName>; readonly digests: Record<UnitName, string> } {
  const digests: Record<UnitName, string> = {};
  const scope = new Set<UnitName>();
  for (const [unit, digest] of current) {
    digests[unit] = digest;
    if (remembered[unit] !== digest) scope.add(unit);
  }
  for (const unit of Object.keys(remembered)) if (!current.has(unit)) scope.add(unit);
  return { scope, digests };
}
