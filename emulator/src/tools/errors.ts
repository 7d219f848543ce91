// The two ways a hook tool fails (juju/cmd): bad usage exits 2, a failure while running exits 1.

export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Bad flags or arguments (juju/cmd: an error from flag parsing or Init) → exit 2. */
export function usageError(message: string): ToolError {
  return new ToolError(message, 2);
}

/** A failure while running (juju/cmd: an error from Run) → exit 1. */
export function runError(message: string): ToolError {
  return new ToolError(message, 1);
}

/** Go's %q for the plain strings tools quote in messages. */
export function quote(text: string): string {
  return JSON.stringify(text);
}
