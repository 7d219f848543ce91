// The charm's /etc/hosts block, pure: parse, plan, render. Lines outside the block are never changed.
import { applyHostChangesTo, HOSTS_BEGIN, HOSTS_END, parseHostsBlock, planHostChanges, renderHosts, type HostEntry } from '../../src/model/peer-hosts';

const BASE = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n127.0.1.1\tjuju-host-0\n';
const entries = (...pairs: [string, string, string][]): Map<string, HostEntry> => new Map(pairs.map(([unit, address, hostname]) => [unit, { address, hostname }]));
const two = entries(['lxd/1', '10.0.0.11', 'juju-host-1'], ['lxd/2', '10.0.0.12', 'juju-host-2']);

test('renders a marked block after the existing lines, which stay as they are, and parses it back', () => {
  const text = renderHosts(BASE, two);
  expect(text).toBe(`${BASE}${HOSTS_BEGIN}\n10.0.0.11\tjuju-host-1\t# lxd/1\n10.0.0.12\tjuju-host-2\t# lxd/2\n${HOSTS_END}\n`);
  expect(parseHostsBlock(text)).toEqual(two);
  expect(renderHosts(text, two)).toBe(text);
});

test('a block in the middle is replaced in place; no entries: the block goes, the rest stays', () => {
  const middle = `127.0.0.1\tlocalhost\n${HOSTS_BEGIN}\n10.9.9.9\told\t# lxd/7\n${HOSTS_END}\n192.0.2.5\toperator-own\n`;
  expect(renderHosts(middle, entries(['lxd/1', '10.0.0.11', 'juju-host-1']))).toBe(`127.0.0.1\tlocalhost\n${HOSTS_BEGIN}\n10.0.0.11\tjuju-host-1\t# lxd/1\n${HOSTS_END}\n192.0.2.5\toperator-own\n`);
  expect(renderHosts(middle, new Map())).toBe('127.0.0.1\tlocalhost\n192.0.2.5\toperator-own\n');
  expect(renderHosts(renderHosts(BASE, two), new Map())).toBe(BASE);
});

test('lines outside the block are not read as the charm\'s, even if they look alike', () => {
  expect(parseHostsBlock(`10.0.0.11\tjuju-host-1\t# lxd/1\n${BASE}`)).toEqual(new Map());
});

test('plan: nothing when the block holds what is wanted; a moved peer and a gone peer otherwise', () => {
  const observed = parseHostsBlock(renderHosts(BASE, two));
  expect(planHostChanges(two, observed, new Set())).toEqual([]);
  const moved = entries(['lxd/1', '10.0.9.9', 'juju-host-1']);
  const changes = planHostChanges(moved, observed, new Set());
  expect(changes).toEqual([
    { kind: 'set-host', peer: 'lxd/1', entry: { address: '10.0.9.9', hostname: 'juju-host-1' } },
    { kind: 'remove-host', peer: 'lxd/2', hostname: 'juju-host-2' },
  ]);
  expect(parseHostsBlock(applyHostChangesTo(renderHosts(BASE, two), changes))).toEqual(moved);
});

test('plan: an untouched peer (refused, pending, known from memory) keeps its line; a scope limits the changes', () => {
  const observed = parseHostsBlock(renderHosts(BASE, two));
  expect(planHostChanges(entries(['lxd/1', '10.0.0.11', 'juju-host-1']), observed, new Set(['lxd/2']))).toEqual([]);
  const scoped = planHostChanges(entries(['lxd/1', '10.0.9.9', 'juju-host-1']), observed, new Set(), new Set(['lxd/1']));
  expect(scoped.map((c) => `${c.kind} ${c.peer}`)).toEqual(['set-host lxd/1']);
});

test('FsHostsFile replaces the file whole, keeping its mode, and leaves no temp file behind', async () => {
  const { mkdtempSync, writeFileSync, statSync, readFileSync, readdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { FsHostsFile } = await import('../../src/host/fs-hosts-file');
  const dir = mkdtempSync(join(tmpdir(), 'hosts-'));
  try {
    const file = join(dir, 'hosts');
    writeFileSync(file, BASE, { mode: 0o644 });
    const hosts = new FsHostsFile(file);
    await hosts.write(renderHosts(await hosts.read(), two));
    expect(readFileSync(file, 'utf8')).toBe(renderHosts(BASE, two));
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['hosts']);
    expect(await new FsHostsFile(join(dir, 'missing')).read()).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
