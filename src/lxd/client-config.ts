// The lxc client configuration as text: config.yml edits that keep every remote and key the charm does
// not own (and comments), the marker file naming the remotes it does own, and where the files live.
// lxc rewrites config.yml dropping keys it does not know, so ownership cannot be marked inside it.
import { isMap, parseDocument, type Document } from 'yaml';
import type { RemoteSpec } from './client-config-store';
import { byText } from '../model/order';
import type { LxdPackaging } from '../model/software';

/** The marker file beside config.yml: remote name → the peer unit it was written for. */
export const MARKER_FILE = 'juju-managed-remotes.json';

/** <home>/.config/lxc for the distro's lxc (and any lxc run without the snap); the snap wrapper's own dir. */
export const configDirOf = (home: string, packaging: LxdPackaging): string =>
  packaging === 'snap' ? `${home.replace(/\/$/, '')}/snap/lxd/common/config` : `${home.replace(/\/$/, '')}/.config/lxc`;

/** What a new config.yml starts with: lxc's defaults, so `local` keeps working for the operator. */
const DEFAULT_CONFIG = `default-remote: local
remotes:
  images:
    addr: https://images.linuxcontainers.org
    protocol: simplestreams
    public: true
  local:
    addr: unix://
    public: false
aliases: {}
`;

// lxc reads YAML 1.1 (go-yaml v2): "no", "y", "on" would be booleans, so names are written quoted when needed
const load = (text: string | null): Document => parseDocument(text ?? DEFAULT_CONFIG, { version: '1.1' });

/** Remote name → addr, as config.yml lists them. Throws on YAML that does not parse. */
export function remotesIn(text: string | null): Map<string, string> {
  const doc = load(text);
  if (doc.errors.length > 0) throw new Error(`config.yml does not parse: ${doc.errors[0]?.message ?? ''}`);
  const remotes = doc.get('remotes');
  const out = new Map<string, string>();
  if (!isMap(remotes)) return out;
  for (const pair of remotes.items) {
    const name = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
    const value = pair.value;
    const addr = isMap(value) ? value.get('addr') : undefined;
    out.set(name, typeof addr === 'string' ? addr : '');
  }
  return out;
}

/** config.yml with the remote added or its address changed; everything else as it was. */
export function withRemote(text: string | null, remote: Pick<RemoteSpec, 'name' | 'url'>): string {
  const doc = load(text);
  if (doc.errors.length > 0) throw new Error(`config.yml does not parse: ${doc.errors[0]?.message ?? ''}`);
  if (!isMap(doc.get('remotes'))) doc.set('remotes', doc.createNode({}));
  if (isMap(doc.getIn(['remotes', remote.name]))) doc.setIn(['remotes', remote.name, 'addr'], remote.url);
  else doc.setIn(['remotes', remote.name], { addr: remote.url, auth_type: 'tls', project: 'default', protocol: 'lxd', public: false });
  return String(doc);
}

/** config.yml without the remote; unchanged text when it is not there. */
export function withoutRemote(text: string, name: string): string {
  const doc = load(text);
  if (doc.errors.length > 0) throw new Error(`config.yml does not parse: ${doc.errors[0]?.message ?? ''}`);
  if (!doc.hasIn(['remotes', name])) return text;
  doc.deleteIn(['remotes', name]);
  return String(doc);
}

/** The marker's remote → peer map (null prototype); an unreadable marker owns nothing. */
export function parseMarker(text: string | null): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (!text) return out;
  try {
    const json = JSON.parse(text) as { remotes?: unknown };
    if (json.remotes && typeof json.remotes === 'object') {
      for (const [name, peer] of Object.entries(json.remotes as Record<string, unknown>)) if (typeof peer === 'string') out[name] = peer;
    }
  } catch {
    /* an operator-mangled marker: the charm then owns nothing and touches nothing */
  }
  return out;
}

export const markerText = (remotes: Readonly<Record<string, string>>): string =>
  `${JSON.stringify({ comment: 'remotes the lxd charm manages; it never touches the others', remotes: Object.fromEntries(Object.entries(remotes).sort(([a], [b]) => byText(a, b))) }, null, 2)}\n`;

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** /etc/passwd lines → entries by name. */
export function parsePasswd(text: string): Map<string, PasswdEntry> {
  const out = new Map<string, PasswdEntry>();
  for (const line of text.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name && uid && gid && home && /^\d+$/.test(uid) && /^\d+$/.test(gid)) out.set(name, { name, uid: Number(uid), gid: Number(gid), home });
  }
  return out;
}
