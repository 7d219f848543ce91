// Applies a plan through the adapters, one typed applier per change kind. Each applier may return the
// facts the charm must remember (a wiped device, the trust password hash); apply folds them into state.
import type { HookTools } from '../juju/hook-tools';
import { PackageError, type Host } from '../host/host';
import type { LxdApi } from '../lxd/lxd-api';
import type { CharmState } from '../model/charm-state';
import { kernelTuningAppliers } from './kernel-tuning';
import { preseedAppliers } from './preseed';
import { httpsAppliers } from './https-relation';
import { ENSURED_VAR_LIB_LXD, SNAP_LXD_DIR, VAR_LIB_LXD } from '../model/snap-host';
import { describeChange, type Change } from './plan';

export interface ApplyIo {
  readonly lxd: LxdApi;
  readonly host: Host;
  readonly juju: HookTools;
  /** the trust password and its hash; read only by the applier that sets it */
  readonly trustPassword: () => Promise<{ readonly value: string; readonly hash: string }>;
}

type Applier<K extends Change['kind']> = (change: Extract<Change, { kind: K }>, io: ApplyIo, state: CharmState) => Promise<Partial<CharmState> | void>;

const appliers: { readonly [K in Change['kind']]: Applier<K> } = {
  'ensure-packages': async (c, io) => {
    if (c.missing.length > 0) await io.host.aptInstall(c.missing);
    return { ensuredPackages: c.wanted };
  },
  'install-snap': async (c, io) => {
    await io.host.snapInstall('lxd', c.channel);
    return { snapChannel: c.channel };
  },
  'refresh-snap': async (c, io) => {
    await io.host.snapRefresh('lxd', c.channel);
    return { snapChannel: c.channel };
  },
  'remember-snap-channel': async (c) => ({ snapChannel: c.channel }),
  'sideload-snap': async (c, io) => {
    await io.host.snapInstallFile('lxd', c.path);
    return { snapSideload: c.sha256 };
  },
  'unsideload-snap': async (c, io) => {
    await io.host.snapRefreshAmend('lxd', c.channel);
    return { snapSideload: '', snapChannel: c.channel };
  },
  'unmount-ephemeral': (c, io) => io.host.unmount(c.mountPoint),
  'attach-loop': async (c, io) => {
    await io.host.attachLoopFile(c.file, c.sizeBytes);
  },
  // applyPlan records the wipe before this runs; converge then commits state even when a later change fails
  'wipe-device': async (c, io, state) => {
    await io.host.wipeDevice(c.device);
    return { wiped: [...new Set([...state.wiped, c.wipeKey])] };
  },
  'create-volume-group': (c, io) => io.host.createVolumeGroup(c.name, c.devices),
  'extend-volume-group': (c, io) => io.host.extendVolumeGroup(c.name, c.devices),
  'extend-thin-pool': (c, io) => io.host.extendThinPool(c.volumeGroup, c.thinPool),
  'create-pool': async (c, io) => {
    await io.lxd.createStoragePool(c.pool);
    return { managedPool: c.pool.name };
  },
  'remember-pool': async (c) => ({ managedPool: c.name }),
  'remember-pool-devices': async (c) => ({ poolDevices: c.devices }),
  'create-bridge': (c, io) => io.lxd.createNetwork(c.network),
  'patch-bridge': (c, io) => io.lxd.patchNetwork(c.name, c.config),
  'patch-profile': (c, io) => io.lxd.patchProfileDevices('default', c.devices),
  'patch-server': (c, io) => io.lxd.patchServerConfig(c.config),
  'set-trust-password': async (_c, io) => {
    const { value, hash } = await io.trustPassword();
    await io.lxd.patchServerConfig({ 'core.trust_password': value });
    return { trustPasswordHash: hash };
  },
  'create-group': (c, io) => io.host.createGroup(c.group),
  'add-user-to-group': (c, io) => io.host.addUserToGroup(c.user, c.group),
  'load-module': async (c, io, state) => {
    if (await io.host.loadModule(c.module)) return;
    await io.juju.log('WARNING', `kernel module ${c.module} cannot be loaded here: skipped`);
    return { unloadableModules: [...new Set([...state.unloadableModules, c.module])] };
  },
  'set-ext4-userns': (c, io) => io.host.setExt4UsernsMounts(c.enabled),
  'add-root-subids': (c, io) => io.host.addSubIds('root', { start: c.start, count: c.count }),
  ...kernelTuningAppliers,
  ...preseedAppliers,
  ...httpsAppliers,
  'set-snap-option': async (c, io, state) => {
    await io.host.snapSet(c.snap, c.key, c.value);
    return { snapEnsured: ensure(state, c.ensured) };
  },
  'reload-lxd': async (c, io, state) => {
    await io.host.reloadLxd('snap');
    return { snapEnsured: ensure(state, c.ensured) };
  },
  'link-var-lib-lxd': async (c, io, state) => {
    await io.host.symlink(SNAP_LXD_DIR, VAR_LIB_LXD, c.replaceEmptyDir);
    return { snapEnsured: ensure(state, [ENSURED_VAR_LIB_LXD]) };
  },
  'remember-snap-settings': async (c, _io, state) => ({ snapEnsured: ensure(state, c.ensured) }),
};

function ensure(state: CharmState, more: readonly string[]): string[] {
  return [...new Set([...state.snapEnsured, ...more])].sort();
}

/**
 * "cannot <change>: <why>", said once: a package error already names the package it could not
 * install, and an adapter's message that already starts with the same words is not prefixed again.
 */
function failureMessage(change: Change, reason: unknown): string {
  if (reason instanceof PackageError) return reason.message;
  const prefix = `cannot ${describeChange(change)}: `;
  const why = reason instanceof Error ? reason.message : String(reason);
  return why.startsWith(prefix) ? why : `${prefix}${why}`;
}

/** A change failed: which one, and why. */
export class ApplyError extends Error {
  constructor(
    readonly change: Change,
    readonly reason: unknown,
  ) {
    super(failureMessage(change, reason));
    this.name = 'ApplyError';
  }
}

/**
 * Applies changes in order, stopping at the first failure. Returns the state with what was learnt,
 * also when it throws (the error carries it), so a wipe that happened is remembered.
 */
export async function applyPlan(changes: readonly Change[], io: ApplyIo, state: CharmState): Promise<{ state: CharmState; error: ApplyError | null }> {
  let current = state;
  for (const change of changes) {
    await io.juju.log('INFO', describeChange(change));
    if (change.kind === 'wipe-device') current = { ...current, wiped: [...new Set([...current.wiped, change.wipeKey])] };
    try {
      const applier = appliers[change.kind] as Applier<Change['kind']>;
      const learnt = await applier(change, io, current);
      if (learnt) current = { ...current, ...learnt };
    } catch (err) {
      return { state: current, error: new ApplyError(change, err) };
    }
  }
  return { state: current, error: null };
}
