// Pure diff of desired against observed: the changes to make, in order, and what blocks the rest.
// The plan is a value: printable, comparable, and empty when the host already is what the charm wants.
import type { DeviceFacts } from '../host/host';
import type { LxdConfig, LxdDevice, NewNetwork, NewStoragePool, StoragePool } from '../lxd/lxd-api';
import { supportsTrustPassword } from '../lxd/lxd-api';
import type { DeviceSpec } from '../model/config';
import { LXD_GROUP, type DesiredHost, type DesiredPool } from '../model/desired';
import { isDowngrade } from '../model/software';
import { describeKernelTuningChange, kernelTuningChanges, type KernelTuningChange } from './kernel-tuning';
import { ENSURED_CRIU, ENSURED_VAR_LIB_LXD, ensuredHomedir, HOMEDIRS_SINCE, homedirFor, homedirProblem, homedirsCover, homedirsWith, SNAP_LXD_DIR, VAR_LIB_LXD, varLibLxdAction, versionAtLeast } from '../model/snap-host';
import type { Observed } from './observed';
import { describePreseedChange, preseedChanges, type PreseedChange } from './preseed';
import { describeHttpsChange, httpsChanges, type HttpsChange } from './https-relation';

export type Change =
  /** `missing` are installed (apt); then all of `wanted` is remembered as ensured */
  | { readonly kind: 'ensure-packages'; readonly missing: readonly string[]; readonly wanted: readonly string[] }
  | { readonly kind: 'install-snap'; readonly channel: string }
  /** the lxd-snap resource: `snap install --dangerous <path>`; its sha256 is remembered */
  | { readonly kind: 'sideload-snap'; readonly path: string; readonly sha256: string }
  /** an empty lxd-snap resource undoes the sideload: `snap refresh lxd --amend --channel=<channel>` */
  | { readonly kind: 'unsideload-snap'; readonly channel: string }
  | { readonly kind: 'refresh-snap'; readonly from: string; readonly channel: string }
  | { readonly kind: 'remember-snap-channel'; readonly channel: string }
  | { readonly kind: 'unmount-ephemeral'; readonly mountPoint: string }
  | { readonly kind: 'attach-loop'; readonly spec: string; readonly file: string; readonly sizeBytes: number }
  | { readonly kind: 'wipe-device'; readonly device: string; readonly wipeKey: string; readonly found: string }
  | { readonly kind: 'create-volume-group'; readonly name: string; readonly devices: readonly string[] }
  | { readonly kind: 'extend-volume-group'; readonly name: string; readonly devices: readonly string[] }
  /** LXD made its thin pool from the extents free then: new extents reach nova only through it */
  | { readonly kind: 'extend-thin-pool'; readonly volumeGroup: string; readonly thinPool: string }
  | { readonly kind: 'create-pool'; readonly pool: NewStoragePool }
  /** the configured pool exists: remember it as the charm's, so a later rename cannot orphan it */
  | { readonly kind: 'remember-pool'; readonly name: string }
  | { readonly kind: 'remember-pool-devices'; readonly devices: ReadonlyArray<{ readonly spec: string; readonly device: string }> }
  | { readonly kind: 'create-bridge'; readonly network: NewNetwork }
  | { readonly kind: 'patch-bridge'; readonly name: string; readonly config: LxdConfig }
  | { readonly kind: 'patch-profile'; readonly devices: Readonly<Record<string, LxdDevice>> }
  | { readonly kind: 'patch-server'; readonly config: LxdConfig }
  /** the password itself is not in the plan: the applier takes it from the secret store */
  | { readonly kind: 'set-trust-password' }
  | { readonly kind: 'create-group'; readonly group: string }
  | { readonly kind: 'add-user-to-group'; readonly user: string; readonly group: string }
  | { readonly kind: 'load-module'; readonly module: string }
  | { readonly kind: 'set-ext4-userns'; readonly enabled: boolean }
  | { readonly kind: 'add-root-subids'; readonly start: number; readonly count: number }
  | KernelTuningChange
  | PreseedChange
  | HttpsChange
  /** `snap set <snap> <key>=<value>`; `ensured` is remembered once it is done */
  | { readonly kind: 'set-snap-option'; readonly snap: string; readonly key: string; readonly value: string; readonly ensured: readonly string[] }
  /** the snap's daemon re-reads its options (criu.enable) */
  | { readonly kind: 'reload-lxd'; readonly ensured: readonly string[] }
  | { readonly kind: 'link-var-lib-lxd'; readonly replaceEmptyDir: boolean }
  /** snap settings found as wanted: remembered, never read again */
  | { readonly kind: 'remember-snap-settings'; readonly ensured: readonly string[] };

export interface Plan {
  readonly changes: readonly Change[];
  /** reasons the host cannot converge: the unit is blocked with all of them */
  readonly blocked: readonly string[];
  /** things skipped on purpose (a container cannot load modules, say): logged, not fatal */
  readonly notes: readonly string[];
}

/** the thin pool LXD's lvm driver makes unless lvm.thinpool_name says otherwise */
const LXD_THIN_POOL = 'LXDThinPool';
const ROOT_SUBID_START = 1_000_000;
const ROOT_SUBID_COUNT = 1_000_000_000;

const article = (word: string): string => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

function describeContent(facts: DeviceFacts): string {
  if (!facts.exists) return 'nothing';
  const c = facts.content;
  switch (c.kind) {
    case 'empty':
      return 'nothing';
    case 'filesystem':
      return `${article(c.type)} filesystem`;
    case 'partition-table':
      return `${article(c.type)} partition table`;
    case 'lvm-pv':
      return c.volumeGroup ? `an LVM physical volume of volume group ${c.volumeGroup}` : 'an LVM physical volume';
    case 'other':
      return c.type;
  }
}

/** Device changes and the devices ready for the pool; every unusable device is a blocker. */
function deviceChanges(pool: DesiredPool, have: Observed, blocked: string[]): { changes: Change[]; ready: Array<{ spec: string; device: string }> } {
  const changes: Change[] = [];
  const ready: Array<{ spec: string; device: string }> = [];
  const devices = have.devices;
  if (!devices) return { changes, ready: have.state.poolDevices.map((d) => ({ ...d })) };
  for (const spec of pool.devices) {
    const seen = devices.get(spec.spec);
    if (spec.kind === 'loop' && !seen?.device) {
      changes.push({ kind: 'attach-loop', spec: spec.spec, file: spec.path, sizeBytes: spec.sizeBytes });
      continue;
    }
    const device = seen?.device ?? spec.path;
    const facts = seen?.facts;
    if (!facts || !facts.exists) {
      blocked.push(`block device ${spec.path} does not exist`);
      continue;
    }
    if (!facts.isBlock) {
      blocked.push(`${spec.path} is not a block device`);
      continue;
    }
    const content = facts.content;
    if (content.kind === 'empty' || (content.kind === 'lvm-pv' && content.volumeGroup !== null && content.volumeGroup === pool.volumeGroup)) {
      ready.push({ spec: spec.spec, device });
      continue;
    }
    const found = describeContent(facts);
    const wipeKey = wipeKeyOf(spec);
    if (!pool.overwrite) {
      blocked.push(`${spec.path} holds ${found}; set overwrite=true to wipe it`);
    } else if (have.state.wiped.includes(wipeKey)) {
      blocked.push(`${spec.path} holds ${found} although it was wiped once already; refusing to wipe it twice`);
    } else {
      changes.push({ kind: 'wipe-device', device, wipeKey, found });
      ready.push({ spec: spec.spec, device });
    }
  }
  return { changes, ready };
}

/** A device is remembered by what the operator named: the device path, or the loop file. */
export const wipeKeyOf = (spec: DeviceSpec): string => spec.path;

const usedBy = (pool: StoragePool): string => (pool.usedBy.length > 0 ? ` (used by ${pool.usedBy.length} object(s))` : '');

/**
 * What the configured pool cannot become once it exists: LXD cannot convert a pool's driver, volume
 * group or thin pool, and the charm never moves or shrinks a pool. Each reason names the option and the way out.
 */
function poolConflicts(pool: DesiredPool, have: Observed): string[] {
  const former = have.formerPool;
  if (former) {
    return [`storage-pool is ${pool.name} but the charm's pool ${former.name} still exists${usedBy(former)}: set storage-pool=${former.name} back, or move what uses it and delete it by hand (lxc storage delete ${former.name})`];
  }
  const existing = have.pools.find((p) => p.name === pool.name);
  if (!existing) return [];
  if (existing.driver !== pool.driver) {
    return [`storage-type is ${pool.driver} but storage pool ${pool.name} exists as ${existing.driver}${usedBy(existing)}; LXD cannot convert a pool: set storage-type=${existing.driver} back`];
  }
  const conflicts: string[] = [];
  if (pool.driver === 'lvm') {
    const vg = existing.config['lvm.vg_name'] ?? existing.name;
    if (pool.volumeGroup !== null && vg !== pool.volumeGroup) {
      conflicts.push(`lvm-volume-group is ${pool.volumeGroup} but storage pool ${pool.name} is on volume group ${vg}; LXD cannot move a pool: set lvm-volume-group=${vg} back`);
    }
    const thin = existing.config['lvm.use_thinpool'] !== 'false';
    if (String(thin) !== pool.config['lvm.use_thinpool']) {
      conflicts.push(`lvm-thinpool is ${String(!thin)} but storage pool ${pool.name} ${thin ? 'uses a' : 'has no'} thin pool; LXD cannot change that once the pool exists: set lvm-thinpool=${String(thin)} back`);
    }
  }
  const remembered = have.state.poolDevices.map((d) => d.spec);
  const wanted = pool.devices.map((d) => d.spec);
  if (pool.driver !== 'lvm' && (remembered.length !== wanted.length || remembered.some((spec, i) => wanted[i] !== spec))) {
    const was = remembered.length > 0 ? `"${remembered.join(' ')}"` : '"" (LXD\'s own backing)';
    if ([...remembered, ...wanted].some(isJujuStorage)) {
      conflicts.push(`the devices of the ${pool.driver} pool ${pool.name} changed (block-devices and Juju storage local: "${wanted.join(' ')}", pool on ${was}); only an lvm pool can grow: detach the added storage or set block-devices back`);
    } else conflicts.push(`block-devices changed but the ${pool.driver} pool ${pool.name} exists on ${was}; only an lvm pool can grow: set block-devices=${remembered.join(' ') || '""'} back`);
  }
  if (pool.driver === 'lvm' && have.volumeGroups) {
    const vg = have.volumeGroups.find((g) => g.name === pool.volumeGroup);
    for (const dropped of have.state.poolDevices.filter((d) => !wanted.includes(d.spec))) {
      if (vg?.physicalVolumes.includes(dropped.device) && isJujuStorage(dropped.spec)) {
        conflicts.push(`Juju storage ${dropped.spec} (${dropped.device}) is gone but still in volume group ${vg.name}; the charm never shrinks a pool: attach it again (or vgreduce --removemissing ${vg.name} by hand, losing what was on it)`);
      } else if (vg?.physicalVolumes.includes(dropped.device)) {
        conflicts.push(`block-devices no longer names ${dropped.spec}, which is in volume group ${vg.name}; the charm never shrinks a pool: add it back to block-devices (or move its extents off and vgreduce it by hand)`);
      }
    }
  }
  return conflicts;
}

/** A `block-devices` entry is a path; a Juju storage device is remembered by its storage id ("local/0"). */
const isJujuStorage = (spec: string): boolean => !spec.startsWith('/');

/**
 * Juju is about to take a storage device away (its -storage-detaching hook): refused while the pool
 * stands on it, since neither LVM nor a btrfs/zfs pool can lose a device without losing data. The
 * hook then fails, so Juju keeps the device attached until the operator has moved the data off.
 */
export function detachRefusal(pool: DesiredPool, have: Observed): string | null {
  const leaving = pool.detaching;
  if (!leaving) return null;
  const what = `Juju storage ${leaving.id} (${leaving.device})`;
  if (pool.volumeGroup !== null) {
    const vg = have.volumeGroups?.find((g) => g.name === pool.volumeGroup);
    // not read: the remembered devices decide (the charm put it in the volume group)
    const inVg = vg ? vg.physicalVolumes.includes(leaving.device) : have.volumeGroups === null && have.state.poolDevices.some((d) => d.device === leaving.device);
    if (!inVg) return null;
    return `${what} is a physical volume of volume group ${pool.volumeGroup} (storage pool ${pool.name}); LVM cannot lose it without losing data, so its detaching hook fails until it is out: pvmove ${leaving.device} && vgreduce ${pool.volumeGroup} ${leaving.device}, then juju resolve the unit`;
  }
  const standsOn = have.pools.some((p) => p.name === pool.name) && have.state.poolDevices.some((d) => d.spec === leaving.id || d.device === leaving.device);
  if (!standsOn) return null;
  return `${what} holds the ${pool.driver} storage pool ${pool.name}; detaching it would destroy the pool, so its detaching hook fails until the pool is gone: move the instances off, lxc storage delete ${pool.name}, then juju resolve the unit`;
}

function storageChanges(pool: DesiredPool, have: Observed, blocked: string[]): Change[] {
  const changes: Change[] = [];
  const refusal = detachRefusal(pool, have);
  if (refusal) {
    blocked.push(refusal);
    return changes;
  }
  const conflicts = poolConflicts(pool, have);
  if (conflicts.length > 0) {
    blocked.push(...conflicts);
    return changes;
  }
  const existing = have.pools.find((p) => p.name === pool.name);
  if (existing && have.state.managedPool !== pool.name) changes.push({ kind: 'remember-pool', name: pool.name });
  if (pool.ephemeralUnmount && have.ephemeralMounted) changes.push({ kind: 'unmount-ephemeral', mountPoint: pool.ephemeralUnmount });

  const before = blocked.length;
  const { changes: prepare, ready } = deviceChanges(pool, have, blocked);
  changes.push(...prepare);
  if (blocked.length > before || prepare.some((c) => c.kind === 'attach-loop')) return changes; // re-plan once loops exist

  const readyDevices = ready.map((d) => d.device);
  if (pool.volumeGroup && have.volumeGroups && ready.length > 0) {
    const vg = have.volumeGroups.find((g) => g.name === pool.volumeGroup);
    if (!vg) changes.push({ kind: 'create-volume-group', name: pool.volumeGroup, devices: readyDevices });
    else {
      const missing = readyDevices.filter((d) => !vg.physicalVolumes.includes(d));
      if (missing.length > 0) {
        changes.push({ kind: 'extend-volume-group', name: pool.volumeGroup, devices: missing });
        if (existing && existing.config['lvm.use_thinpool'] !== 'false') {
          changes.push({ kind: 'extend-thin-pool', volumeGroup: pool.volumeGroup, thinPool: existing.config['lvm.thinpool_name'] || LXD_THIN_POOL });
        }
      }
    }
  }
  if (!existing) {
    const config: Record<string, string> = { ...pool.config };
    if (pool.volumeGroup && ready.length > 0) config.source = pool.volumeGroup;
    else if (!pool.volumeGroup && readyDevices[0]) config.source = readyDevices[0];
    changes.push({ kind: 'create-pool', pool: { name: pool.name, driver: pool.driver, config, description: 'LXD storage for nova-lxd (managed by the lxd charm)' } });
  }
  const remembered = have.state.poolDevices;
  if (have.devices && (remembered.length !== ready.length || ready.some((d, i) => remembered[i]?.spec !== d.spec || remembered[i]?.device !== d.device))) {
    changes.push({ kind: 'remember-pool-devices', devices: ready });
  }
  return changes;
}

/** `auto` is satisfied by any concrete stored address: re-sending it would pick a new subnet. */
const bridgeValueMatches = (key: string, want: string, have: string | undefined): boolean =>
  want === have || (want === 'auto' && key.endsWith('.address') && have !== undefined && have !== '' && have !== 'none' && have !== 'auto');

function bridgeChanges(want: DesiredHost['bridge'], have: Observed, blocked: string[]): Change[] {
  const net = have.networks.find((n) => n.name === want.name);
  if (!net) return [{ kind: 'create-bridge', network: { name: want.name, type: 'bridge', config: want.config, description: 'LXD bridge (managed by the lxd charm)' } }];
  if (!net.managed || net.type !== 'bridge') {
    blocked.push(`network ${want.name} exists and is not an LXD-managed bridge`);
    return [];
  }
  const diff: Record<string, string> = {};
  for (const [key, value] of Object.entries(want.config)) if (!bridgeValueMatches(key, value, net.config[key])) diff[key] = value;
  return Object.keys(diff).length > 0 ? [{ kind: 'patch-bridge', name: want.name, config: diff }] : [];
}

const sameDevice = (a: LxdDevice | undefined, b: LxdDevice): boolean =>
  a !== undefined && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

function profileChanges(want: DesiredHost['profileDevices'], have: Observed): Change[] {
  const diff: Record<string, LxdDevice> = {};
  for (const [name, device] of Object.entries(want)) if (!sameDevice(have.defaultProfile.devices[name], device)) diff[name] = device;
  return Object.keys(diff).length > 0 ? [{ kind: 'patch-profile', devices: diff }] : [];
}

function serverChanges(want: DesiredHost, have: Observed, notes: string[]): Change[] {
  const changes: Change[] = [];
  if (want.httpsAddress !== null && have.server.config['core.https_address'] !== want.httpsAddress) changes.push({ kind: 'patch-server', config: { 'core.https_address': want.httpsAddress } });
  if (!supportsTrustPassword(have.server)) notes.push('LXD has no core.trust_password: trust by token only');
  else if (have.server.config['core.trust_password'] !== 'true' || have.state.trustPasswordHash !== have.trustPasswordHash) changes.push({ kind: 'set-trust-password' });
  return changes;
}

function accessChanges(want: DesiredHost, have: Observed, blocked: string[]): Change[] {
  const changes: Change[] = [];
  if (want.lxdUsers.length === 0) return changes;
  if (have.lxdGroupMembers === null) changes.push({ kind: 'create-group', group: LXD_GROUP });
  for (const user of want.lxdUsers) {
    if (!have.existingUsers.has(user)) blocked.push(`user ${user} (from nova-compute) does not exist on this machine`);
    else if (!(have.lxdGroupMembers ?? []).includes(user)) changes.push({ kind: 'add-user-to-group', user, group: LXD_GROUP });
  }
  return changes;
}

function kernelChanges(want: DesiredHost, have: Observed, notes: string[]): Change[] {
  if (have.inContainer) {
    notes.push('in a container: kernel modules, ext4 userns mounts and subuid ranges are left to the host');
    return [];
  }
  const changes: Change[] = want.kernelModules.filter((m) => !have.loadedModules.has(m) && !have.state.unloadableModules.includes(m)).map((module) => ({ kind: 'load-module', module }) as const);
  if (have.ext4Userns === null) notes.push('the kernel has no ext4 userns_mounts knob: skipped');
  else if (have.ext4Userns !== want.ext4Userns) changes.push({ kind: 'set-ext4-userns', enabled: want.ext4Userns });
  if (have.rootSubIds.uid.length === 0 || have.rootSubIds.gid.length === 0) changes.push({ kind: 'add-root-subids', start: ROOT_SUBID_START, count: ROOT_SUBID_COUNT });
  return changes;
}

/**
 * The lxd-snap resource decides the snap instead of lxd-channel while a sideload is wanted or in place:
 * the change to make (null: none), or undefined when the channel decides. A sideloaded snap tracks no
 * channel, so the channel is not compared while it stays.
 */
function sideloadChange(resource: DesiredHost['snapResource'], want: DesiredHost['software'], have: Observed, blocked: string[]): Change | null | undefined {
  const sideloaded = have.state.snapSideload;
  if (resource === null) return sideloaded !== '' ? null : undefined;
  switch (resource.kind) {
    case 'file':
      if (!resource.isSnap) {
        blocked.push(`resource lxd-snap (${resource.sizeBytes} bytes) is not a snap (no squashfs header): attach a .snap file (juju attach-resource lxd lxd-snap=./lxd.snap), or an empty file to use lxd-channel ${want.snapChannel} from the store`);
        return null;
      }
      return sideloaded === resource.sha256 ? null : { kind: 'sideload-snap', path: resource.path, sha256: resource.sha256 };
    case 'empty':
      return sideloaded !== '' ? { kind: 'unsideload-snap', channel: want.snapChannel } : undefined;
    case 'absent':
      return sideloaded !== '' ? null : undefined;
  }
}

/** Packages a later config needs (ZFS tools, criu) and the snap channel lxd-channel names; never a downgrade. */
function softwareChanges(want: DesiredHost['software'], have: Observed, blocked: string[], resource: DesiredHost['snapResource'] = null): Change[] {
  const changes: Change[] = [];
  // the charm installed LXD one way: a second daemon from the other packaging would fight the first
  const installedAs = have.state.snapChannel !== '' ? 'snap' : have.state.ensuredPackages.includes('lxd') ? 'distro' : null;
  if (installedAs !== null && installedAs !== want.source) {
    blocked.push(`source is ${want.source} but LXD on this host is the ${installedAs === 'snap' ? 'snap' : 'distro package'}; the charm does not move LXD between packagings: set source=${installedAs} back (or auto)`);
    return changes;
  }
  if (have.installedPackages !== null) {
    const missing = want.packages.filter((p) => !have.state.ensuredPackages.includes(p) && !have.installedPackages?.has(p));
    changes.push({ kind: 'ensure-packages', missing, wanted: [...new Set([...have.state.ensuredPackages, ...want.packages])].sort() });
  }
  if (want.source !== 'snap') return changes;
  const sideload = sideloadChange(resource, want, have, blocked);
  if (sideload !== undefined) return sideload ? [...changes, sideload] : changes;
  if (have.snapChannel === null) changes.push({ kind: 'install-snap', channel: want.snapChannel });
  else if (have.snapChannel !== want.snapChannel) {
    if (isDowngrade(have.snapChannel, want.snapChannel)) {
      blocked.push(`lxd-channel ${want.snapChannel} would take LXD back from ${have.snapChannel}: LXD cannot downgrade its database (set lxd-channel to ${have.snapChannel} or newer)`);
    } else changes.push({ kind: 'refresh-snap', from: have.snapChannel, channel: want.snapChannel });
  } else if (have.state.snapChannel !== have.snapChannel) changes.push({ kind: 'remember-snap-channel', channel: have.snapChannel });
  return changes;
}

/**
 * A snap host: nova's lxc (homedirs), nova-lxd's /var/lib/lxd, the snap's criu. Only adds to what is
 * there (homedirs keeps every directory it had; use-criu=false never unsets criu.enable).
 */
function snapHostChanges(want: DesiredHost, have: Observed, blocked: string[]): Change[] {
  const snap = have.snapHost;
  // only where the LXD snap is installed (it is installed first, then this is planned in the next round)
  if (want.software.source !== 'snap' || snap === null || have.snapChannel === null) return [];
  const changes: Change[] = [];
  const found: string[] = [];
  if (snap.homedirs !== null) {
    const needs = [...snap.homes].map(([user, home]) => ({ user, home, dir: homedirFor(home) })).filter((n): n is { user: string; home: string; dir: string } => n.dir !== null);
    const missing = needs.filter((n) => !homedirsCover(snap.homedirs?.value ?? '', n.dir));
    for (const n of needs) if (!missing.includes(n)) found.push(ensuredHomedir(n.dir));
    const bad = missing.filter((n) => homedirProblem(n.dir) !== null);
    for (const n of bad) blocked.push(`${n.user}'s home ${n.home} is outside /home and snapd cannot list ${homedirProblem(n.dir) ?? ''}: the lxd snap's lxc refuses ${n.user} (give ${n.user} a home under /home)`);
    const settable = missing.filter((n) => !bad.includes(n));
    if (settable.length > 0) {
      const value = homedirsWith(snap.homedirs.value, settable.map((n) => n.dir));
      const users = settable.map((n) => `${n.user} (home ${n.home})`).join(', ');
      const version = snap.homedirs.snapdVersion;
      if (version === null || !versionAtLeast(version, HOMEDIRS_SINCE)) {
        blocked.push(`snapd ${version ?? '(version unknown)'} has no homedirs option (snapd ${HOMEDIRS_SINCE}+), so the lxd snap's lxc refuses ${users}: refresh snapd (snap refresh snapd), then run: snap set system homedirs=${value}`);
      } else changes.push({ kind: 'set-snap-option', snap: 'system', key: 'homedirs', value, ensured: settable.map((n) => ensuredHomedir(n.dir)) });
    }
  }
  if (snap.varLibLxd !== null) {
    const action = varLibLxdAction(snap.varLibLxd);
    if (action.action === 'link') changes.push({ kind: 'link-var-lib-lxd', replaceEmptyDir: action.replaceEmptyDir });
    else if (action.action === 'none') found.push(ENSURED_VAR_LIB_LXD);
    else blocked.push(action.reason);
  }
  if (snap.criuEnable !== null) {
    if (snap.criuEnable.value === 'true') found.push(ENSURED_CRIU);
    else changes.push({ kind: 'set-snap-option', snap: 'lxd', key: 'criu.enable', value: 'true', ensured: [] }, { kind: 'reload-lxd', ensured: [ENSURED_CRIU] });
  }
  if (found.length > 0) changes.push({ kind: 'remember-snap-settings', ensured: found });
  return changes;
}

export function plan(want: DesiredHost, have: Observed): Plan {
  const blocked: string[] = [];
  const notes: string[] = [];
  const changes = [
    ...softwareChanges(want.software, have, blocked, want.snapResource),
    ...snapHostChanges(want, have, blocked),
    ...kernelChanges(want, have, notes),
    ...kernelTuningChanges(want, have.kernelTuning, have.state, have.inContainer, notes),
    ...storageChanges(want.pool, have, blocked),
    ...bridgeChanges(want.bridge, have, blocked),
    ...serverChanges(want, have, notes),
    ...accessChanges(want, have, blocked),
  ];
  // the profile names the pool and the bridge: only once both exist or are being made
  const poolReady = have.pools.some((p) => p.name === want.pool.name && p.driver === want.pool.driver) || changes.some((c) => c.kind === 'create-pool');
  const bridgeOk = !blocked.some((b) => b.startsWith(`network ${want.bridge.name}`));
  if (poolReady && bridgeOk) changes.push(...profileChanges(want.profileDevices, have));
  // the operator's preseed last: its profiles may name the charm's pool and bridge
  changes.push(...preseedChanges(want.preseed, have.server.config, have.preseed, have.state, blocked));
  // the https relation's clients: published to only once the listener is where it is going
  const listenerPending = changes.some((c) => c.kind === 'patch-server' && 'core.https_address' in c.config);
  changes.push(...httpsChanges(want.https, have.https, have.server, have.state, listenerPending, notes));
  return { changes, blocked, notes };
}

/** One line per change, for logs and show-config. */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'ensure-packages':
      return change.missing.length > 0 ? `install ${change.missing.join(' ')}` : `note that ${change.wanted.join(' ')} are installed`;
    case 'install-snap':
      return `install the lxd snap from ${change.channel}`;
    case 'refresh-snap':
      return `refresh the lxd snap from ${change.from} to ${change.channel}`;
    case 'sideload-snap':
      return `install the lxd snap from resource lxd-snap (snap install --dangerous ${change.path}, sha256 ${change.sha256.slice(0, 12)})`;
    case 'unsideload-snap':
      return `move the sideloaded lxd snap back to the store's ${change.channel} (snap refresh lxd --amend --channel=${change.channel})`;
    case 'remember-snap-channel':
      return `note that the lxd snap tracks ${change.channel}`;
    case 'unmount-ephemeral':
      return `unmount ${change.mountPoint}`;
    case 'attach-loop':
      return `attach loop file ${change.file}`;
    case 'wipe-device':
      return `wipe ${change.device} (holds ${change.found})`;
    case 'create-volume-group':
      return `create volume group ${change.name} on ${change.devices.join(', ')}`;
    case 'extend-volume-group':
      return `extend volume group ${change.name} with ${change.devices.join(', ')}`;
    case 'extend-thin-pool':
      return `extend thin pool ${change.volumeGroup}/${change.thinPool} over the volume group's free space`;
    case 'create-pool':
      return `create ${change.pool.driver} storage pool ${change.pool.name}`;
    case 'remember-pool':
      return `note that storage pool ${change.name} is the charm's`;
    case 'remember-pool-devices':
      return `remember pool devices ${change.devices.map((d) => d.device).join(', ') || '(none)'}`;
    case 'create-bridge':
      return `create bridge ${change.network.name}`;
    case 'patch-bridge':
      return `set ${Object.entries(change.config).map(([k, v]) => `${k}=${v}`).join(' ')} on bridge ${change.name}`;
    case 'patch-profile':
      return `set default profile devices ${Object.keys(change.devices).join(', ')}`;
    case 'patch-server':
      return `set ${Object.entries(change.config).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'set-trust-password':
      return 'set core.trust_password';
    case 'create-group':
      return `create group ${change.group}`;
    case 'add-user-to-group':
      return `add ${change.user} to group ${change.group}`;
    case 'load-module':
      return `load kernel module ${change.module}`;
    case 'set-ext4-userns':
      return `set ext4 userns_mounts=${change.enabled}`;
    case 'add-root-subids':
      return `give root subuid/subgid range ${change.start}+${change.count}`;
    case 'record-sysctl-previous':
    case 'write-managed-file':
    case 'remove-managed-file':
    case 'apply-sysctl':
    case 'restore-sysctl':
    case 'restrict-path':
    case 'restore-path-mode':
      return describeKernelTuningChange(change);
    case 'preseed-create':
    case 'preseed-patch':
    case 'preseed-server-config':
      return describePreseedChange(change);
    case 'https-trust':
    case 'https-revoke':
    case 'https-remember-trust':
    case 'https-publish':
      return describeHttpsChange(change);
    case 'set-snap-option':
      return `set the ${change.snap === 'system' ? 'snapd system' : `${change.snap} snap`} option ${change.key} (by hand: snap set ${change.snap} ${change.key}=${change.value})`;
    case 'reload-lxd':
      return 'reload the LXD snap daemon (by hand: systemctl reload snap.lxd.daemon)';
    case 'link-var-lib-lxd':
      return `link ${VAR_LIB_LXD} to ${SNAP_LXD_DIR}${change.replaceEmptyDir ? ' (in place of the empty directory)' : ''}`;
    case 'remember-snap-settings':
      return `note that ${change.ensured.join(', ')} ${change.ensured.length === 1 ? 'is' : 'are'} as nova needs`;
  }
}
