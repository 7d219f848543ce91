// How a hook tool gets run: an interface, so the argv and JSON layers are tested without processes.
// The production runner is child-process-runner.ts.

export interface ToolRunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type ToolRunner = (tool: string, args: readonly string[], opts: { readonly stdin?: string }) => Promise<ToolRunResult>;
