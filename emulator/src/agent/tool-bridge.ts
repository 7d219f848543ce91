// What the unit agent needs from the hook tools: a socket the tools talk to, a context per hook
// run that collects the hook's writes, and the tool executables. tools-adapter.ts implements it
// with the real ToolServer and HookContext; unit tests implement it with fakes.

import type { CommitSummary } from '../model/hook-effects';
import type { HookEvent, LogLine, ModelState, UnitRecord } from '../model/types';
import type { ToolInterceptor } from '../tools/tool-server';

export interface SecretHookRequest {
  kind: 'secret-changed' | 'secret-remove';
  secretId: string;
  revision: number;
  units: string[];
}

export interface HookContextHandle {
  commit(): CommitSummary & { secretEvents?: SecretHookRequest[] };
  /** drops the hook's transactional writes; returns what took effect at once and must still be announced */
  discard(): { leaderSettingsChanged: boolean };
  /** for actions: the outcome from action-set/action-fail and the exit code */
  actionOutcome?(exitCode: number): { status: 'completed' | 'failed'; message: string; results: Record<string, unknown> };
}

export interface ContextRequest {
  state: ModelState;
  unit: UnitRecord;
  event: HookEvent;
  contextId: string;
  log: (line: LogLine) => void;
  now: () => string;
  /** decides each tool call of this hook (injected faults); absent: every call runs */
  interceptor?: ToolInterceptor;
}

export interface ToolBridge {
  /** Starts serving the unit's tool socket at `hostSocketPath` (idempotent). */
  serve(unitName: string, hostSocketPath: string): Promise<void>;
  /** Opens a context for one hook run; tool calls carrying its id act on it until it is closed. */
  openContext(req: ContextRequest): HookContextHandle;
  closeContext(contextId: string): void;
  /** Makes the tool executables (symlinks) in a unit's tools directory. */
  installTools(hostToolsDir: string): Promise<void>;
  close(): Promise<void>;
}
