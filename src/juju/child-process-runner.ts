// The production hook-tool runner: host/run-process.ts (argv array, no shell, stdin only when given).
import { NOT_STARTED, runProcess } from '../host/run-process';
import type { ToolRunner } from './tool-runner';

/** exit code reported when the tool could not be started at all (not on PATH: not inside a hook) */
export const TOOL_NOT_STARTED = NOT_STARTED;

export const childProcessRunner: ToolRunner = async (tool, args, opts) => {
  const result = await runProcess(tool, args, opts.stdin === undefined ? {} : { stdin: opts.stdin });
  // say why without the argv: arguments may name secrets' ids or carry relation data
  if (!result.started) return { exitCode: TOOL_NOT_STARTED, stdout: '', stderr: `${tool}: ${result.reason === 'not found on PATH' ? 'not found on PATH (hook tools exist only inside a Juju hook)' : result.reason}` };
  if (result.exitCode === NOT_STARTED && result.reason.startsWith('killed')) return { exitCode: TOOL_NOT_STARTED, stdout: '', stderr: result.stderr || `${tool}: ${result.reason}` };
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};
