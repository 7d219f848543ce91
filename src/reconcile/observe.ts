// Reads the world through the adapters into one Observed value. Cheap reads every hook (LXD over its
// socket, files); block devices and LVM only when the device list changed or a loop file came loose.
import type { Host } from '../host/host';
import type { LxdApi } from '../lxd/lxd-api';
import type { CharmState } from '../model/charm-state';
import { LXD_GROUP, type DesiredHost } from '../model/desired';
import { normalChannel } from '../model/software';
import { observeKernelTuning } from './kernel-tuning';
import { observePreseed } from './preseed';
import { observeHttps } from './https-relation';
import { ENSURED_CRIU, ENSURED_VAR_LIB_LXD, ensuredHomedir, homedirFor, VAR_LIB_LXD } from '../model/snap-host';
import type { Observed, ObservedDevice, ObservedSnapHost } from './observed';

export interface ObserveIo {
  readonly lxd: LxdApi;
  readonly host: Host;
}

/** Loop files resolve to their attached loop device (a /sys read), device paths to themselves. */
async function resolveDevices(want: DesiredHost['pool'], host: Host, state: CharmState): Promise<Map<string, string | null>> {
  const resolved = new Map<string, string | null>();
  for (const spec of want.devices) {
    const known = state.poolDevices.find((d) => d.spec === spec.spec)?.device;
    resolved.set(spec.spec, spec.kind === 'loop' ? await host.loopDeviceFor(spec.path, known) : spec.path);
  }
  return resolved;
}

/** The remembered devices still are the pool: same specs, same resolved devices, pool present. */
function devicesUnchanged(want: DesiredHost['pool'], resolved: Map<string, string | null>, state: CharmState, poolExists: boolean): boolean {
  if (!poolExists || state.poolDevices.length !== want.devices.length) return false;
  return want.devices.every((spec, i) => state.poolDevices[i]?.spec === spec.spec && state.poolDevices[i]?.device === resolved.get(spec.spec));
}

/** The snap settings nova needs, read only where the charm has not ensured them before (no spawn then). */
async function observeSnapHost(want: DesiredHost, host: Host, state: CharmState): Promise<ObservedSnapHost | null> {
  if (want.software.source !== 'snap') return null;
  const homes = new Map<string, string>();
  for (const user of want.lxdUsers) {
    const home = await host.userHome(user);
    if (home !== null) homes.set(user, home);
  }
  const needed = [...homes.values()].map(homedirFor).filter((d): d is string => d !== null);
  const homedirs = needed.some((d) => !state.snapEnsured.includes(ensuredHomedir(d)))
    ? { snapdVersion: await host.snapdVersion(), value: (await host.snapGet('system', 'homedirs')) ?? '' }
    : null;
  const criuEnable = want.software.snapCriu && !state.snapEnsured.includes(ENSURED_CRIU) ? { value: await host.snapGet('lxd', 'criu.enable') } : null;
  const varLibLxd = state.snapEnsured.includes(ENSURED_VAR_LIB_LXD) ? null : await host.pathKind(VAR_LIB_LXD);
  return { homes, homedirs, criuEnable, varLibLxd };
}

export async function observe(want: DesiredHost, io: ObserveIo, state: CharmState, trustPasswordHash: string): Promise<Observed> {
  const { lxd, host } = io;
  const former = state.managedPool !== '' && state.managedPool !== want.pool.name ? state.managedPool : null;
  const [server, pool, formerPool, bridge, profile, inContainer] = await Promise.all([
    lxd.server(),
    lxd.storagePool(want.pool.name),
    former ? lxd.storagePool(former) : null,
    lxd.network(want.bridge.name),
    lxd.profile('default'),
    host.isContainer(),
  ]);
  const pools = pool ? [pool] : [];
  const poolSpace = pool ? await lxd.storagePoolSpace(pool.name) : null;
  const poolExists = pool !== null;
  const resolved = await resolveDevices(want.pool, host, state);

  let devices: Map<string, ObservedDevice> | null = null;
  let volumeGroups: Observed['volumeGroups'] = null;
  if (!devicesUnchanged(want.pool, resolved, state, poolExists)) {
    devices = new Map();
    for (const [spec, device] of resolved) devices.set(spec, { device, facts: device ? await host.inspectDevice(device) : null });
    // also when devices were dropped from the config: whether they still are in the volume group
    if (want.pool.volumeGroup && (want.pool.devices.length > 0 || state.poolDevices.length > 0)) volumeGroups = await host.volumeGroups();
  }

  const users = await Promise.all(want.lxdUsers.map(async (u) => [u, await host.userExists(u)] as const));
  // steady state: nothing here spawns a process (what was ensured or learnt before is in charm state)
  const unsure = want.software.packages.filter((p) => !state.ensuredPackages.includes(p));
  const installedPackages = unsure.length > 0 ? await host.installedPackages(unsure) : null;
  const snapChannel = want.software.source !== 'snap' ? null : state.snapChannel || (await host.snapChannel('lxd'));
  return {
    server,
    pools,
    formerPool,
    poolSpace,
    networks: bridge ? [bridge] : [],
    defaultProfile: profile,
    devices,
    volumeGroups,
    ephemeralMounted: want.pool.ephemeralUnmount ? await host.isMounted(want.pool.ephemeralUnmount) : false,
    lxdGroupMembers: await host.groupMembers(LXD_GROUP),
    existingUsers: new Set(users.filter(([, exists]) => exists).map(([u]) => u)),
    inContainer,
    loadedModules: inContainer ? new Set() : await host.loadedModules(want.kernelModules),
    ext4Userns: inContainer ? null : await host.ext4UsernsMounts(),
    rootSubIds: inContainer ? { uid: [], gid: [] } : await host.subIds('root'),
    installedPackages,
    snapChannel: snapChannel === null ? null : normalChannel(snapChannel),
    snapHost: await observeSnapHost(want, host, state),
    state,
    trustPasswordHash,
    kernelTuning: await observeKernelTuning(want, host, state, inContainer),
    preseed: await observePreseed(want.preseed, lxd),
    https: await observeHttps(want.https, lxd, state),
  };
}
