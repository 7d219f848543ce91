// Fakes of the agent's public interfaces: a MachineBackend whose "processes" are JS functions,
// and a ToolBridge whose contexts keep pending relation writes until commit.

import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContextRequest, HookContextHandle, ToolBridge } from '../../../src/agent/tool-bridge';
import type { BootReport } from '../../../src/machines/boot';
import type { MachineBackend, MachineOptions, RunRequest, RunResult } from '../../../src/machines/machine-backend';
import type { CommitSummary } from '../../../src/model/hook-effects';
import type { MachineRecord, ModelState } from '../../../src/model/types';

/** Directories the fakes made; tests remove them in afterAll. */
export const fakeDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  fakeDirs.push(dir);
  return dir;
}

export class FakeContext implements HookContextHandle {
  readonly pending: Array<{ relationId: number; key: string; value: string }> = [];
  committed = false;
  discarded = false;
  /** the hook ran leader-set (which takes effect at once, failed hook or not) */
  leaderSettingsChanged = false;
  constructor(readonly req: ContextRequest) {}

  /** A hook-tool call as the tool server sees it: injected faults apply. Returns the exit code. */
  async tool(name: string, args: readonly string[] = []): Promise<{ code: number; stderr: string }> {
    const handling = this.req.interceptor?.(name, args) ?? { kind: 'run' as const };
    if (handling.kind === 'act') await handling.action();
    if (handling.kind === 'fail') return { code: 1, stderr: `ERROR ${handling.message}\n` };
    if (handling.kind === 'kill') {
      await handling.kill();
      return { code: 137, stderr: '' };
    }
    return { code: 0, stderr: '' };
  }

  relationSet(relationId: number, key: string, value: string): void {
    this.pending.push({ relationId, key, value });
  }

  commit(): CommitSummary {
    this.committed = true;
    const changed = new Map<string, { relationId: number; owner: string; isApp: boolean }>();
    const state: ModelState = this.req.state;
    const owner = this.req.unit.name;
    for (const write of this.pending) {
      const relation = state.relations[String(write.relationId)];
      if (!relation) continue;
      const bag = (relation.unitBags[owner] ??= {});
      if (bag[write.key] === write.value) continue;
      bag[write.key] = write.value;
      changed.set(`${write.relationId}`, { relationId: write.relationId, owner, isApp: false });
    }
    for (const change of changed.values()) {
      const relation = state.relations[String(change.relationId)];
      if (relation) relation.bagVersions[owner] = (relation.bagVersions[owner] ?? 0) + 1;
    }
    return { changedBags: [...changed.values()], leaderSettingsChanged: this.leaderSettingsChanged };
  }

  discard(): { leaderSettingsChanged: boolean } {
    this.discarded = true;
    return { leaderSettingsChanged: this.leaderSettingsChanged };
  }
}

export class FakeTools implements ToolBridge {
  readonly contexts = new Map<string, FakeContext>();
  readonly all: FakeContext[] = [];
  async serve(): Promise<void> {}
  openContext(req: ContextRequest): HookContextHandle {
    const ctx = new FakeContext(req);
    this.contexts.set(req.contextId, ctx);
    this.all.push(ctx);
    return ctx;
  }
  closeContext(contextId: string): void {
    this.contexts.delete(contextId);
  }
  async installTools(): Promise<void> {}
  async close(): Promise<void> {}
}

/** A charm written in JS: gets the hook env and its context, returns an exit code. */
export type FakeCharm = (env: Record<string, string>, ctx: FakeContext) => Promise<number> | number;

export class FakeMachines implements MachineBackend {
  readonly kind = 'local' as const;
  readonly runs: Array<{ machine: string; env: Record<string, string>; argv: string[] }> = [];
  private running = new Map<string, number>();
  maxPerMachine = 0;
  maxOverall = 0;
  constructor(
    private readonly tools: FakeTools,
    private readonly charm: FakeCharm,
    private readonly root = tempDir('fake-machines-'),
  ) {}

  async ensurePrerequisites(): Promise<void> {}

  async create(opts: MachineOptions): Promise<MachineRecord> {
    return {
      id: opts.id,
      backend: 'local',
      hostname: `fake-${opts.id}`,
      address: `10.9.0.${Number(opts.id) + 2}`,
      cidr: '10.9.0.0/24',
      mounts: { '/var/lib/juju': path.join(this.root, opts.id) },
      handles: {},
      loopDevices: [],
      lxdPid: null,
    };
  }

  async run(machine: MachineRecord, req: RunRequest): Promise<RunResult> {
    this.runs.push({ machine: machine.id, env: req.env, argv: req.argv });
    const now = (this.running.get(machine.id) ?? 0) + 1;
    this.running.set(machine.id, now);
    this.maxPerMachine = Math.max(this.maxPerMachine, now);
    this.maxOverall = Math.max(this.maxOverall, [...this.running.values()].reduce((a, b) => a + b, 0));
    try {
      const ctx = this.tools.contexts.get(req.env.JUJU_CONTEXT_ID ?? '');
      if (!ctx) throw new Error('hook ran without an open context');
      const killed = new Promise<RunResult>((resolve) => {
        const onAbort = () => resolve({ exitCode: 137, signal: 'SIGKILL', stdout: '', stderr: '' });
        if (req.signal?.aborted) onAbort();
        else req.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const exited = Promise.resolve(this.charm(req.env, ctx)).then((exitCode): RunResult => ({ exitCode, signal: null, stdout: '', stderr: '' }));
      return await Promise.race([exited, killed]);
    } finally {
      this.running.set(machine.id, (this.running.get(machine.id) ?? 1) - 1);
    }
  }

  readonly reboots: string[] = [];
  async reboot(machine: MachineRecord): Promise<{ machine: MachineRecord; report: BootReport }> {
    this.reboots.push(machine.id);
    return { machine: { ...machine }, report: { started: [], failed: [], detachedLoops: [], lxdStarted: false } };
  }

  async destroy(): Promise<void> {}
  async cleanupLeftovers(): Promise<void> {}
}

/** A charm directory on disk with metadata and an executable dispatch (never executed by the fakes). */
export function charmDir(metadata: string, files: Record<string, string> = {}): string {
  const dir = tempDir('fake-charm-');
  writeFileSync(path.join(dir, 'metadata.yaml'), metadata);
  writeFileSync(path.join(dir, 'dispatch'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(dir, 'dispatch'), 0o755);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

export const PEER_CHARM = `name: peery
summary: s
description: d
peers:
  peer:
    interface: p
`;

export const SUB_CHARM = `name: subby
summary: s
description: d
subordinate: true
provides:
  host:
    interface: host
    scope: container
requires:
  container:
    interface: juju-info
    scope: container
peers:
  sub-peer:
    interface: sp
`;

export const PRINCIPAL_CHARM = `name: princy
summary: s
description: d
requires:
  host:
    interface: host
    scope: container
`;
