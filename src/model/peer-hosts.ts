// Peers' host names in /etc/hosts: nova-lxd dials another compute host as https://<host name> (its
// nova `host`, the machine's host name), and the target LXD pulls the instance from that same URL, so
// each unit must resolve every wired peer's name to the address the peer publishes on lxd-migration.
// The charm owns one marked block in /etc/hosts, one line per peer unit; nothing outside it is touched.
// Pure, but for the HostsFile port (fs-hosts-file.ts implements it).
import type { UnitName } from '../juju/hook-tools';
import { byUnit } from '../model/order';

export const HOSTS_BEGIN = '# BEGIN lxd charm: lxd-migration peers (managed by Juju; edits here are replaced)';
export const HOSTS_END = '# END lxd charm: lxd-migration peers';

export interface HostEntry {
  readonly address: string;
  readonly hostname: string;
}

export type HostsChange =
  | { readonly kind: 'set-host'; readonly peer: UnitName; readonly entry: HostEntry }
  | { readonly kind: 'remove-host'; readonly peer: UnitName; readonly hostname: string };

/** What the charm's block holds now, by peer unit ("<address> <hostname> # <unit>" lines). */
export function parseHostsBlock(text: string): Map<UnitName, HostEntry> {
  const entries = new Map<UnitName, HostEntry>();
  let inside = false;
  for (const line of text.split('\n')) {
    if (line === HOSTS_BEGIN) inside = true;
    else if (line === HOSTS_END) inside = false;
    else if (inside) {
      const m = /^(\S+)\s+(\S+)\s+#\s*(\S+)$/.exec(line.trim());
      if (m?.[1] && m[2] && m[3]) entries.set(m[3], { address: m[1], hostname: m[2] });
    }
  }
  return entries;
}

/**
 * The changes that make the block hold `desired` (peer → entry): peers in `untouched` (refused, pending,
 * known only from memory) keep what they have; with `scope`, only those peers' lines change.
 */
export function planHostChanges(desired: ReadonlyMap<UnitName, HostEntry>, observed: ReadonlyMap<UnitName, HostEntry>, untouched: ReadonlySet<UnitName>, scope?: ReadonlySet<UnitName>): HostsChange[] {
  const changes: HostsChange[] = [];
  for (const [peer, entry] of [...desired].sort(([a], [b]) => byUnit(a, b))) {
    const have = observed.get(peer);
    if (have?.address !== entry.address || have.hostname !== entry.hostname) changes.push({ kind: 'set-host', peer, entry });
  }
  for (const [peer, have] of [...observed].sort(([a], [b]) => byUnit(a, b))) {
    if (!desired.has(peer) && !untouched.has(peer)) changes.push({ kind: 'remove-host', peer, hostname: have.hostname });
  }
  return scope ? changes.filter((c) => scope.has(c.peer)) : changes;
}

/** `text` with the charm's block holding `entries` (placed where it was, else appended; none: no block). */
export function renderHosts(text: string, entries: ReadonlyMap<UnitName, HostEntry>): string {
  const lines = text.split('\n');
  const begin = lines.indexOf(HOSTS_BEGIN);
  const end = begin < 0 ? -1 : lines.indexOf(HOSTS_END, begin);
  const before = begin < 0 ? lines : lines.slice(0, begin);
  const after = begin < 0 ? [] : end < 0 ? [] : lines.slice(end + 1);
  const block = entries.size === 0 ? [] : [HOSTS_BEGIN, ...[...entries].sort(([a], [b]) => byUnit(a, b)).map(([unit, e]) => `${e.address}\t${e.hostname}\t# ${unit}`), HOSTS_END];
  const head = before.join('\n').replace(/\n*$/, '');
  const tail = after.join('\n').replace(/^\n*/, '').replace(/\n*$/, '');
  return [head, ...block, tail].filter((part) => part !== '').join('\n') + '\n';
}

/** The block with `changes` applied to what it holds now. */
export function applyHostChangesTo(text: string, changes: readonly HostsChange[]): string {
  const entries = parseHostsBlock(text);
  for (const change of changes) {
    if (change.kind === 'set-host') entries.set(change.peer, change.entry);
    else entries.delete(change.peer);
  }
  return renderHosts(text, entries);
}

export function describeHostChange(c: HostsChange): string {
  return c.kind === 'set-host' ? `hosts: ${c.entry.hostname} is ${c.entry.address} (${c.peer})` : `hosts: forget ${c.hostname} (${c.peer})`;
}

/** The hosts file a unit resolves names from. */
export interface HostsFile {
  read(): Promise<string>;
  write(text: string): Promise<void>;
}
