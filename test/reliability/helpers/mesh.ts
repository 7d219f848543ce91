// Shared by the reliability suite's real-LXD files: a mesh of lxd units beside nova-compute on the
// emulator, and the checks that a unit converged with nothing duplicated or half-written.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Model } from 'juju-emulator';
import type { UnitShell } from '../../e2e/helpers/units';

export const repoRoot = path.join(__dirname, '..', '..', '..');
export const packedCharmPath = path.join(repoRoot, 'build', 'lxd.charm');

/** why the real-LXD cases cannot run here ('' when they can); under CI=true they fail with it */
export function whyNotRunnable(): string {
  if (process.getuid?.() !== 0) return 'needs root (namespace machines, real LXD daemons)';
  if (!existsSync('/usr/bin/lxc')) return 'needs LXD (/usr/bin/lxc): run scripts/setup-host.sh';
  if (!existsSync(packedCharmPath)) return 'needs build/lxd.charm: run npm run pack';
  return '';
}

interface Remote {
  readonly Addr: string;
}

/** Everything that must hold on a converged mesh; returns the problems found (empty when all is well). */
export async function meshProblems(model: Model, shell: UnitShell, port: number): Promise<string[]> {
  const problems: string[] = [];
  const units = shell.lxdUnits();
  const hostnames = new Map<string, string>();
  for (const unit of units) hostnames.set(unit, (await shell.ok(unit, 'hostname')).trim());
  for (const unit of units) {
    const status = shell.statusOf(unit);
    if (status.status !== 'active' || !status.message.includes(`${units.length - 1}/${units.length - 1} peers wired`)) problems.push(`${unit}: status ${status.status} "${status.message}"`);
    for (const [user, dir] of [['root', '/root/.config/lxc'], ['nova', '/var/lib/nova/.config/lxc']] as const) {
      // lxc's own config file must parse; half-written YAML would break every later hook and nova
      const text = await shell.ok(unit, `cat ${dir}/config.yml`);
      try {
        parseYaml(text);
      } catch (err) {
        problems.push(`${unit} ${user}: config.yml does not parse: ${String(err)}`);
      }
      const remotes = JSON.parse(await shell.ok(unit, 'lxc remote list --format json', user)) as Record<string, Remote>;
      for (const peer of units.filter((u) => u !== unit)) {
        const name = hostnames.get(peer) ?? '?';
        const peerAddress = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd-migration')?.unitBags[peer]?.address ?? '?';
        const toPeer = Object.entries(remotes).filter(([, r]) => r.Addr.includes(`//${peerAddress}:`));
        if (toPeer.length !== 1) problems.push(`${unit} ${user}: ${toPeer.length} remotes to ${peer} (${peerAddress}): ${toPeer.map(([n]) => n).join(', ')}`);
        if (remotes[name]?.Addr !== `https://${peerAddress}:${port}`) problems.push(`${unit} ${user}: remote ${name} is ${remotes[name]?.Addr}, want https://${peerAddress}:${port}`);
      }
    }
    const trusted = (await shell.ok(unit, 'lxc config trust list --format csv')).split('\n').filter(Boolean).map((l) => l.split(',')[1] ?? '');
    const ours = trusted.filter((n) => n.startsWith('juju-')).sort();
    const expected = units.filter((u) => u !== unit).flatMap((u) => [`juju-${u.replace('/', '-')}-nova`, `juju-${u.replace('/', '-')}-root`]).sort();
    if (JSON.stringify(ours) !== JSON.stringify(expected)) problems.push(`${unit}: trust entries ${ours.join(' ')}, want ${expected.join(' ')}`);
    const members = ((await shell.ok(unit, 'getent group lxd')).trim().split(':')[3] ?? '').split(',').filter(Boolean);
    if (new Set(members).size !== members.length || !members.includes('nova')) problems.push(`${unit}: group lxd members ${members.join(',')}`);
    // loop devices are host-wide (other models' too): count only the charm's loop files, as this machine resolves them
    const blockDevices = String(model.state.applications.lxd?.config['block-devices'] ?? '');
    for (const file of blockDevices.split(/\s+/).filter((d) => d.includes('|')).map((d) => d.split('|')[0] ?? '')) {
      const attached = (await shell.ok(unit, `losetup -j ${file} -O NAME -n || true`)).split('\n').filter((l) => l.trim());
      if (attached.length > 1) problems.push(`${unit}: loop file ${file} attached ${attached.length} times`);
    }
    const listener = JSON.parse(await shell.ok(unit, 'lxc query /1.0')) as { config?: Record<string, string> };
    if (!listener.config?.['core.https_address']?.endsWith(`:${port}`)) problems.push(`${unit}: listener ${listener.config?.['core.https_address']}, want port ${port}`);
    const memo = await shell.sh(unit, `cat /var/lib/juju/agents/unit-${unit.replace('/', '-')}/charm/.lxd-charm-memo.json`);
    try {
      JSON.parse(memo.stdout);
    } catch (err) {
      problems.push(`${unit}: memo missing or does not parse (exit ${memo.exitCode}): ${String(err)}`);
    }
  }
  return problems;
}
