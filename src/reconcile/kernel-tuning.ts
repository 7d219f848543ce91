// sysctl-tuning and kernel-hardening: what the host reports (observe), the changes to make (plan,
// pure) and how each is applied. Kept apart from plan.ts/apply.ts, which only list these changes.
import type { Host } from '../host/host';
import type { HookTools } from '../juju/hook-tools';
import type { CharmState } from '../model/charm-state';
import type { DesiredHost } from '../model/desired';
import { appliedMarker, octal } from '../model/kernel-tuning';

export interface ObservedKernelTuning {
  /** the drop-ins as they are on disk (null: absent) */
  readonly sysctlFile: string | null;
  readonly hardeningFile: string | null;
  /** the kernel's values of the keys whose previous value is not recorded yet; null: not read (nothing to apply) */
  readonly sysctlKernel: ReadonlyMap<string, string> | null;
  /** current mode of each hardened (or once hardened) path, null when it does not exist; empty in a container */
  readonly modes: ReadonlyMap<string, number | null>;
}

export type KernelTuningChange =
  /** the kernel's values before the first apply, kept in charm state so turning the option off restores them */
  | { readonly kind: 'record-sysctl-previous'; readonly values: Readonly<Record<string, string>> }
  | { readonly kind: 'write-managed-file'; readonly path: string; readonly content: string; readonly option: string }
  | { readonly kind: 'remove-managed-file'; readonly path: string; readonly option: string }
  | { readonly kind: 'apply-sysctl'; readonly values: Readonly<Record<string, string>>; readonly marker: string }
  | { readonly kind: 'restore-sysctl'; readonly values: Readonly<Record<string, string>> }
  | { readonly kind: 'restrict-path'; readonly path: string; readonly mode: number; readonly previous: number }
  /** `apply` false: the path is gone or already has the mode; the record is only forgotten */
  | { readonly kind: 'restore-path-mode'; readonly path: string; readonly mode: number; readonly apply: boolean };

export async function observeKernelTuning(want: DesiredHost, host: Host, state: CharmState, inContainer: boolean): Promise<ObservedKernelTuning> {
  const { sysctl, hardening } = want;
  // steady state reads two small files and stats two paths: no process is spawned
  const applied = state.sysctlApplied === appliedMarker(sysctl.values);
  const unrecorded = Object.keys(sysctl.values).filter((k) => state.sysctlPrevious[k] === undefined);
  const [sysctlFile, hardeningFile, sysctlKernel] = await Promise.all([
    host.readManagedFile(sysctl.file),
    host.readManagedFile(hardening.file),
    sysctl.enabled && !applied && unrecorded.length > 0 ? host.sysctlValues(unrecorded) : null,
  ]);
  const modes = new Map<string, number | null>();
  const paths = [...new Set([...(hardening.enabled ? Object.keys(hardening.modes) : []), ...Object.keys(state.hardeningPrevious)])];
  if (!inContainer) for (const path of paths) modes.set(path, await host.fileMode(path));
  return { sysctlFile, hardeningFile, sysctlKernel, modes };
}

function sysctlChanges(want: DesiredHost['sysctl'], have: ObservedKernelTuning, state: CharmState): KernelTuningChange[] {
  const changes: KernelTuningChange[] = [];
  if (!want.enabled) {
    if (have.sysctlFile !== null) changes.push({ kind: 'remove-managed-file', path: want.file, option: 'sysctl-tuning' });
    if (Object.keys(state.sysctlPrevious).length > 0 || state.sysctlApplied !== '') changes.push({ kind: 'restore-sysctl', values: state.sysctlPrevious });
    return changes;
  }
  const previous = Object.fromEntries([...(have.sysctlKernel ?? [])].filter(([key]) => state.sysctlPrevious[key] === undefined));
  if (Object.keys(previous).length > 0) changes.push({ kind: 'record-sysctl-previous', values: previous });
  if (have.sysctlFile !== want.content) changes.push({ kind: 'write-managed-file', path: want.file, content: want.content, option: 'sysctl-tuning' });
  const marker = appliedMarker(want.values);
  if (state.sysctlApplied !== marker) changes.push({ kind: 'apply-sysctl', values: want.values, marker });
  return changes;
}

function hardeningChanges(want: DesiredHost['hardening'], have: ObservedKernelTuning, state: CharmState, inContainer: boolean, notes: string[]): KernelTuningChange[] {
  const changes: KernelTuningChange[] = [];
  if (!want.enabled) {
    if (have.hardeningFile !== null) changes.push({ kind: 'remove-managed-file', path: want.file, option: 'kernel-hardening' });
    for (const [path, text] of Object.entries(state.hardeningPrevious)) {
      const mode = parseInt(text, 8);
      const current = have.modes.get(path) ?? null;
      changes.push({ kind: 'restore-path-mode', path, mode, apply: current !== null && current !== mode && !inContainer });
    }
    return changes;
  }
  if (have.hardeningFile !== want.content) changes.push({ kind: 'write-managed-file', path: want.file, content: want.content, option: 'kernel-hardening' });
  if (inContainer) {
    notes.push('in a container: kernel-hardening file modes are left to the host');
    return changes;
  }
  for (const [path, mode] of Object.entries(want.modes)) {
    const current = have.modes.get(path) ?? null;
    if (current === null) notes.push(`kernel-hardening: ${path} does not exist on this kernel: skipped`);
    else if (current !== mode) changes.push({ kind: 'restrict-path', path, mode, previous: current });
  }
  return changes;
}

export function kernelTuningChanges(want: DesiredHost, have: ObservedKernelTuning, state: CharmState, inContainer: boolean, notes: string[]): KernelTuningChange[] {
  return [...sysctlChanges(want.sysctl, have, state), ...hardeningChanges(want.hardening, have, state, inContainer, notes)];
}

const assignments = (values: Readonly<Record<string, string>>): string =>
  Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ') || '(nothing recorded)';

export function describeKernelTuningChange(change: KernelTuningChange): string {
  switch (change.kind) {
    case 'record-sysctl-previous':
      return `record the kernel's sysctl values before tuning: ${assignments(change.values)}`;
    case 'write-managed-file':
      return `write ${change.path} (${change.option})`;
    case 'remove-managed-file':
      return `remove ${change.path} (${change.option} is off)`;
    case 'apply-sysctl':
      return `set sysctl ${assignments(change.values)}`;
    case 'restore-sysctl':
      return `restore sysctl ${assignments(change.values)}`;
    case 'restrict-path':
      return `restrict ${change.path} to mode ${octal(change.mode)} (was ${octal(change.previous)})`;
    case 'restore-path-mode':
      return change.apply ? `restore mode ${octal(change.mode)} on ${change.path}` : `forget the recorded mode of ${change.path} (nothing to restore)`;
  }
}

export interface KernelTuningIo {
  readonly host: Host;
  readonly juju: HookTools;
}

/** Sets each key on its own, so a key the host refuses is named and the others still apply. */
async function setEach(values: Readonly<Record<string, string>>, io: KernelTuningIo, verb: string): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    const result = await io.host.setSysctl(key, value);
    if (!result.ok) await io.juju.log('WARNING', `sysctl ${key} cannot be ${verb} on this host (${result.reason}): skipped`);
  }
}

type KernelApplier<K extends KernelTuningChange['kind']> = (change: Extract<KernelTuningChange, { kind: K }>, io: KernelTuningIo, state: CharmState) => Promise<Partial<CharmState> | void>;

export const kernelTuningAppliers: { readonly [K in KernelTuningChange['kind']]: KernelApplier<K> } = {
  'record-sysctl-previous': async (c, _io, state) => ({ sysctlPrevious: { ...state.sysctlPrevious, ...c.values } }),
  'write-managed-file': (c, io) => io.host.writeManagedFile(c.path, c.content),
  'remove-managed-file': (c, io) => io.host.removeManagedFile(c.path),
  'apply-sysctl': async (c, io) => {
    await setEach(c.values, io, 'set');
    // applied, refusals included: a key the host cannot set is not retried (and logged again) every hook
    return { sysctlApplied: c.marker };
  },
  'restore-sysctl': async (c, io) => {
    await setEach(c.values, io, 'restored');
    return { sysctlPrevious: {}, sysctlApplied: '' };
  },
  'restrict-path': async (c, io, state) => {
    await io.host.setFileMode(c.path, c.mode);
    // the first mode seen is the one to restore, not one this charm set
    return { hardeningPrevious: { [c.path]: octal(c.previous), ...state.hardeningPrevious } };
  },
  'restore-path-mode': async (c, io, state) => {
    if (c.apply) await io.host.setFileMode(c.path, c.mode);
    const rest = Object.fromEntries(Object.entries(state.hardeningPrevious).filter(([path]) => path !== c.path));
    return { hardeningPrevious: rest };
  },
};
