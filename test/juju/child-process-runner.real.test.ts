// The production tool runner against real processes (hence *.real.test.ts): exit codes, output,
// stdin, and tools that cannot be started.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_NOT_STARTED, childProcessRunner } from '../../src/juju/child-process-runner';

let dir: string;
const tool = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('returns stdout, stderr and the exit code; arguments are not split or expanded by a shell', async () => {
  const echo = tool('echo-args', 'for a in "$@"; do printf "[%s]" "$a"; done; echo; echo warn >&2; exit 3');
  const result = await childProcessRunner(echo, ['a b', '$HOME', '--x=;rm'], {});
  expect(result).toEqual({ exitCode: 3, stdout: '[a b][$HOME][--x=;rm]\n', stderr: 'warn\n' });
});

test('feeds stdin only when given; without it the tool reads end of file', async () => {
  const cat = tool('cat-in', 'cat; echo "<end>"');
  expect((await childProcessRunner(cat, [], { stdin: 'secret: x\n' })).stdout).toBe('secret: x\n<end>\n');
  expect((await childProcessRunner(cat, [], {})).stdout).toBe('<end>\n');
});

test('a tool that exits without reading a large stdin still reports its own result', async () => {
  const quick = tool('quick', 'exit 0');
  const result = await childProcessRunner(quick, [], { stdin: 'x'.repeat(4 * 1024 * 1024) });
  expect(result.exitCode).toBe(0);
});

test('large output arrives whole', async () => {
  const big = tool('big', 'head -c 3000000 /dev/zero | tr "\\0" a');
  expect((await childProcessRunner(big, [], {})).stdout).toHaveLength(3_000_000);
});

test('a tool that is not there: 127 and a reason that names the tool, not its arguments', async () => {
  const result = await childProcessRunner('no-such-hook-tool-x', ['--secret-arg'], {});
  expect(result.exitCode).toBe(TOOL_NOT_STARTED);
  expect(result.stderr).toContain('no-such-hook-tool-x: not found on PATH');
  expect(result.stderr).not.toContain('--secret-arg');
});

test('a tool killed by a signal is a failure', async () => {
  const self = tool('suicide', 'kill -9 $$');
  const result = await childProcessRunner(self, [], {});
  expect(result.exitCode).toBe(TOOL_NOT_STARTED);
  expect(result.stderr).toContain('SIGKILL');
});
