// juju-emulator: a local Juju model that runs any charm's hooks as real processes with real hook
// tools on emulated machines. The typed API for tests; the CLI (cli.ts) is a thin layer over it.

export { Model, type DeployOptions, type ModelOptions, type BackendKind } from './model/model';
export { CharmError, loadCharm } from './model/charm-loader';
export { ModelError } from './model/topology';
export { parseStorageDirective, type StorageDirective } from './model/storage';
export { parseRunCommand, parseRunParams, type RunCommand, type RunParamsOptions } from './model/params';
export { defaultParallelism, HookStormError, type OrderPolicy, type PendingOperation, type SettleOptions, type SettleReport } from './agent/scheduler';
export type { RunOutcome } from './agent/hook-runner';
export { DEFAULT_TOOL_FAILURE, type FiredFault, type HookKillSpec, type ToolFailureSpec } from './agent/faults';
export type { StatusView, UnitStatusView } from './model/status-view';
export { statusTable } from './model/status-view';
export { emulatorHome, modelDirOf } from './model/persistence';
export type { MachineBackend, RunRequest, RunResult } from './machines/machine-backend';
export type { BootReport } from './machines/boot';
export { LocalMachines } from './machines/local';
export type * from './model/types';

import path from 'node:path';

/** The built-in charms shipped with the emulator (nova-compute stand-in, test charms). */
export function builtinCharm(name: 'nova-compute' | 'test-charm' | 'test-subordinate'): string {
  // src/ and dist/ both sit one level below the package root
  return path.resolve(__dirname, '..', 'charms', name);
}

/** Builds a tiny LXD image from busybox-static (no network); returns the tarball's host path. */
export { buildBusyboxImage } from './machines/busybox-image';
