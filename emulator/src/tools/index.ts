// The hook tools' public surface, used by the unit agent.

/** Unix-socket server for jujuc calls: start(socketPath), register(ctx), unregister(contextId), stop(). */
export { ToolServer, installToolLinks } from './tool-server';
/** One hook run's context: new HookContext({ state, unit, event, contextId, log, now }); commit() / discard() / getActionOutcome(exitCode). */
export { HookContext } from './hook-context';
/** What HookContext.commit() applied: changed bags, leader-settings change, secret hooks to queue. */
export type { CommitResult, HookContextOptions, ActionOutcome } from './hook-context';
/** A secret hook caused by a commit (secret-changed for consumers, secret-remove for the owner). */
export type { SecretEvent } from './secret-store';
/** Where a bag's version lives in RelationRecord.bagVersions (`app:<name>` for app bags). */
export { bagVersionKey } from './relation-view';
/** Compiles native/jujuc.c into build/jujuc when missing or stale; returns the binary's path. */
export { ensureJujucBuilt } from './native-client';
/** The name of every hook tool; invokeTool runs one in-process (no socket), for tests. */
export { TOOL_NAMES, invokeTool } from './registry';
export type { ToolResponse } from './registry';
