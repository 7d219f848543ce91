// Faults a test injects into the unit agent: a hook tool that fails as a Juju tool does when its
// call to the agent fails (stderr `ERROR <text>`, exit 1), and a hook process SIGKILLed at a chosen
// point (a given call of a given tool, before or after it took effect, or some time into the hook).
// Each fault fires a set number of times and is then spent, so the retried hook runs clean.

/** What Juju's jujuc prints when the agent's API connection drops under a tool (rpc.ErrShutdown). */
export const DEFAULT_TOOL_FAILURE = 'connection is shut down';

export interface ToolFailureSpec {
  unit: string;
  /** hook tool name: network-get, relation-get, secret-get, config-get, … */
  tool: string;
  /** how many calls fail (default 1); the calls after them run normally */
  times?: number;
  /** only in this hook (or action) name */
  hook?: string;
  /** the error text after `ERROR ` (default: connection is shut down) */
  message?: string;
}

export interface HookKillSpec {
  unit: string;
  /** only in this hook (or action) name */
  hook?: string;
  /** kill on a call of this hook tool … */
  tool?: string;
  /** … the Nth matching call from now (default 1) */
  call?: number;
  /** 'before' (default): the call never happens; 'after': the tool took effect, the hook never hears back */
  when?: 'before' | 'after';
  /** only a call whose arguments, joined by spaces, contain this (a juju-log line naming a change, say) */
  argsContain?: string;
  /** or: kill this many milliseconds after the hook process started */
  afterMs?: number;
}

/**
 * Something done to the world at a chosen hook-tool call, before the call runs (which then runs as
 * usual): LXD's daemon stopped in the middle of a hook, say. Once, then spent.
 */
export interface ToolCallActionSpec {
  unit: string;
  hook?: string;
  tool: string;
  /** the Nth matching call from now (default 1) */
  call?: number;
  argsContain?: string;
  /** what happens then; the tool call waits for it */
  action: () => Promise<void>;
}

/** What happens to one tool call. */
export type ToolVerdict = { kind: 'run' } | { kind: 'fail'; message: string } | { kind: 'kill'; when: 'before' | 'after' } | { kind: 'act'; action: () => Promise<void> };

interface ArmedFailure extends ToolFailureSpec {
  left: number;
}

interface ArmedKill extends HookKillSpec {
  seen: number;
  spent: boolean;
}

interface ArmedAction extends ToolCallActionSpec {
  seen: number;
  spent: boolean;
}

/** A record of what fired, for tests to check that the fault they meant really happened. */
export interface FiredFault {
  kind: 'tool-failure' | 'kill' | 'action';
  unit: string;
  hook: string;
  tool: string | null;
}

export class FaultPlan {
  private failures: ArmedFailure[] = [];
  private kills: ArmedKill[] = [];
  private actions: ArmedAction[] = [];
  readonly fired: FiredFault[] = [];

  injectToolFailure(spec: ToolFailureSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`injectToolFailure: times must be a positive integer, got ${times}`);
    this.failures.push({ ...spec, left: times });
  }

  killHookAt(spec: HookKillSpec): void {
    if ((spec.tool === undefined) === (spec.afterMs === undefined)) throw new Error('killHookAt: give exactly one of tool or afterMs');
    const call = spec.call ?? 1;
    if (!Number.isInteger(call) || call < 1) throw new Error(`killHookAt: call must be a positive integer, got ${call}`);
    this.kills.push({ ...spec, call, seen: 0, spent: false });
  }

  atToolCall(spec: ToolCallActionSpec): void {
    const call = spec.call ?? 1;
    if (!Number.isInteger(call) || call < 1) throw new Error(`atToolCall: call must be a positive integer, got ${call}`);
    this.actions.push({ ...spec, call, seen: 0, spent: false });
  }

  clear(): void {
    this.failures = [];
    this.kills = [];
    this.actions = [];
  }

  /** Faults still armed (not yet fired as often as asked). */
  armed(): number {
    return this.failures.filter((f) => f.left > 0).length + this.kills.filter((k) => !k.spent).length + this.actions.filter((a) => !a.spent).length;
  }

  /**
   * A time-based kill for a hook about to start, if one is armed (it is spent now). It is recorded as
   * fired only when `fire` is called, as the timer kills the hook: a hook that ended sooner was not
   * killed, and firedFaults() must not say it was.
   */
  killDelayFor(unit: string, hook: string): { readonly afterMs: number; readonly fire: () => void } | null {
    const kill = this.kills.find((k) => !k.spent && k.afterMs !== undefined && k.unit === unit && (k.hook === undefined || k.hook === hook));
    if (!kill || kill.afterMs === undefined) return null;
    kill.spent = true;
    return { afterMs: kill.afterMs, fire: () => this.fired.push({ kind: 'kill', unit, hook, tool: null }) };
  }

  /** Decides one tool call of a hook (`args`: the tool's arguments). */
  onToolCall(unit: string, hook: string, tool: string, args: readonly string[] = []): ToolVerdict {
    const joined = args.join(' ');
    const matches = (f: { unit: string; hook?: string; tool?: string; argsContain?: string }) =>
      f.unit === unit && f.tool === tool && (f.hook === undefined || f.hook === hook) && (f.argsContain === undefined || joined.includes(f.argsContain));
    for (const act of this.actions) {
      if (act.spent || !matches(act)) continue;
      act.seen += 1;
      if (act.seen < (act.call ?? 1)) continue;
      act.spent = true;
      this.fired.push({ kind: 'action', unit, hook, tool });
      return { kind: 'act', action: act.action };
    }
    for (const kill of this.kills) {
      if (kill.spent || kill.afterMs !== undefined || !matches(kill)) continue;
      kill.seen += 1;
      if (kill.seen < (kill.call ?? 1)) continue;
      kill.spent = true;
      this.fired.push({ kind: 'kill', unit, hook, tool });
      return { kind: 'kill', when: kill.when ?? 'before' };
    }
    const failure = this.failures.find((f) => f.left > 0 && matches(f));
    if (failure) {
      failure.left -= 1;
      this.fired.push({ kind: 'tool-failure', unit, hook, tool });
      return { kind: 'fail', message: failure.message ?? DEFAULT_TOOL_FAILURE };
    }
    return { kind: 'run' };
  }
}
