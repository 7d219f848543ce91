// Runs a hook tool as a process with execa: argv array (no shell), stdin only when given, output as text.
// execa is imported on first use so that loading the bundle stays cheap for hooks that run no tool.
import type { ToolRunner } from './tool-runner';

/** exit code reported when the tool could not be started at all (not on PATH: not inside a hook) */
export const TOOL_NOT_STARTED = 127;

export const execaRunner: ToolRunner = async (tool, args, opts) => {
  const { execa } = await import('execa');
  const result = await execa(tool, [...args], {
    reject: false,
    ...(opts.stdin === undefined ? { stdin: 'ignore' as const } : { input: opts.stdin }),
    stripFinalNewline: false,
  });
  const stderr = String(result.stderr ?? '');
  if (result.exitCode === undefined) {
    // not started, or killed by a signal: say which, without the argv
    const reason = result.code === 'ENOENT' ? 'not found on PATH (hook tools exist only inside a Juju hook)' : `could not run (${result.code ?? result.signal ?? 'unknown'})`;
    return { exitCode: TOOL_NOT_STARTED, stdout: '', stderr: stderr || `${tool}: ${reason}` };
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr };
};
