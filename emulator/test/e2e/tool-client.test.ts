// The real jujuc client against a real ToolServer: compiled binary, symlinked tools, a unix socket.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HookContext, installToolLinks, ToolServer, TOOL_NAMES } from '../../src/tools';
import type { ModelState } from '../../src/model/types';
import { buildModel, relationHook } from '../unit/tools/builders';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let socket: string;
let toolsDir: string;
let server: ToolServer;
let state: ModelState;
let ctx: HookContext;

function runTool(tool: string, args: string[], opts: { stdin?: string; keepStdinOpen?: boolean; env?: Record<string, string> } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(toolsDir, tool), args, {
      cwd: dir,
      env: opts.env ?? { PATH: `${toolsDir}:/usr/bin:/bin`, JUJU_AGENT_SOCKET_ADDRESS: socket, JUJU_CONTEXT_ID: ctx.contextId },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tool} did not exit within 5s`));
    }, 5000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else if (!opts.keepStdinOpen) child.stdin.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'emu-tools-e2e-'));
  socket = path.join(dir, 'agent.socket');
  toolsDir = path.join(dir, 'tools');
  installToolLinks(toolsDir);
  server = new ToolServer();
  await server.start(socket);
});

beforeEach(() => {
  state = buildModel();
  ctx = new HookContext({
    state,
    unit: 'lxd/0',
    event: relationHook('lxd-relation-changed', 3, 'nova-compute/0', 'nova-compute'),
    contextId: `lxd/0-lxd-relation-changed-${Date.now()}`,
    log: () => undefined,
    now: () => new Date(),
  });
  server.register(ctx);
});

afterEach(() => server.unregister(ctx.contextId));

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('jujuc through a ToolServer', () => {
  it('installs the client and one symlink per tool pointing at it', () => {
    expect(TOOL_NAMES.length).toBe(35); // with resource-get, storage-list, storage-get
    for (const name of TOOL_NAMES) expect(readlinkSync(path.join(toolsDir, name))).toBe('jujuc');
    expect(readdirSync(toolsDir).sort()).toEqual([...TOOL_NAMES, 'jujuc'].sort());
  });

  it('answers a read with the formatted output and exit 0', async () => {
    expect(await runTool('is-leader', ['--format=json'])).toEqual({ code: 0, stdout: 'true\n', stderr: '' });
    expect(await runTool('relation-get', ['user'])).toEqual({ code: 0, stdout: 'nova\n', stderr: '' });
  });

  it('does not read stdin unless asked: an open stdin pipe does not block', async () => {
    expect(await runTool('relation-list', [], { keepStdinOpen: true })).toEqual({ code: 0, stdout: 'nova-compute/0\n', stderr: '' });
  });

  it('sends stdin for relation-set --file - and the write commits', async () => {
    const result = await runTool('relation-set', ['--file', '-', 'extra=1'], { stdin: 'nonce: abc\n' });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ctx.commit().changedBags).toEqual([{ relationId: 3, owner: 'lxd/0', isApp: false }]);
    expect(state.relations['3']!.unitBags['lxd/0']).toMatchObject({ nonce: 'abc', extra: '1' });
  });

  it('streams a large stdin (1 MiB) without truncation', async () => {
    const big = 'x'.repeat(1024 * 1024);
    expect((await runTool('relation-set', ['--file=-'], { stdin: `blob: ${big}\n` })).code).toBe(0);
    expect(ctx.relations.read(state.relations['3']!, 'lxd/0', false).blob).toHaveLength(1024 * 1024);
  });

  it('reads a --file relative to the tool cwd on the client side', async () => {
    writeFileSync(path.join(dir, 'settings.yaml'), 'k: v\n');
    expect((await runTool('state-set', ['--file', 'settings.yaml'])).code).toBe(0);
    expect(ctx.charmState()).toEqual({ k: 'v' });
    const missing = await runTool('state-set', ['--file', 'absent.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ERROR open absent.yaml: No such file or directory\n$/);
  });

  it('writes -o output files on the client side', async () => {
    const out = path.join(dir, 'out.json');
    expect(await runTool('config-get', ['--format=json', '-o', out])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe('{"overwrite":false,"pool-size":10,"storage-type":"btrfs"}\n');
  });

  it('passes exit codes and ERROR text through', async () => {
    expect(await runTool('relation-get', ['--bogus'])).toEqual({ code: 2, stdout: '', stderr: 'ERROR option provided but not defined: --bogus\n' });
    expect(await runTool('relation-set', ['-r', '0', '--app', 'k=v'], { env: { JUJU_AGENT_SOCKET_ADDRESS: socket, JUJU_CONTEXT_ID: ctx.contextId } })).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('fails with exit 1 for an unknown context, a missing socket or missing variables', async () => {
    const unknown = await runTool('is-leader', [], { env: { JUJU_AGENT_SOCKET_ADDRESS: socket, JUJU_CONTEXT_ID: 'nope' } });
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'ERROR bad request: unknown context "nope"\n' });
    const noSocket = await runTool('is-leader', [], { env: { JUJU_AGENT_SOCKET_ADDRESS: path.join(dir, 'missing.socket'), JUJU_CONTEXT_ID: 'x' } });
    expect(noSocket.code).toBe(1);
    expect(noSocket.stderr).toMatch(/^ERROR cannot connect to the unit agent/);
    expect(await runTool('is-leader', [], { env: { JUJU_CONTEXT_ID: 'x' } })).toEqual({ code: 1, stdout: '', stderr: 'ERROR JUJU_AGENT_SOCKET_ADDRESS not set\n' });
    expect(await runTool('is-leader', [], { env: { JUJU_AGENT_SOCKET_ADDRESS: socket } })).toEqual({ code: 1, stdout: '', stderr: 'ERROR JUJU_CONTEXT_ID not set\n' });
  });

  it('serves an abstract socket too', async () => {
    const abstract = new ToolServer();
    const name = `@emu-tools-e2e-${process.pid}`;
    await abstract.start(name);
    abstract.register(ctx);
    try {
      expect(await runTool('unit-get', ['private-address'], { env: { JUJU_AGENT_SOCKET_ADDRESS: name, JUJU_CONTEXT_ID: ctx.contextId } })).toEqual({
        code: 0,
        stdout: '10.0.0.10\n',
        stderr: '',
      });
    } finally {
      await abstract.stop();
    }
  });
});
