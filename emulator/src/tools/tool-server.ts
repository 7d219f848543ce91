// The unit agent's side of the hook tools: a unix-socket server speaking jujuc's protocol
// (see native/jujuc.c), dispatching each call to the HookContext registered under its context id.

import { copyFileSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { HookContext } from './hook-context';
import { ensureJujucBuilt } from './native-client';
import { executeTool, prepareTool, TOOL_NAMES, type ToolInput, type ToolResponse } from './registry';

const PROTOCOL_VERSION = '1';
const MAX_FRAME = 64 * 1024 * 1024;

/** Reads length-prefixed pieces from a socket as they arrive. */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended = false;

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  async take(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) throw new Error('client went away');
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async u32(): Promise<number> {
    const n = (await this.take(4)).readUInt32BE(0);
    if (n > MAX_FRAME) throw new Error('frame too large');
    return n;
  }

  async string(): Promise<string> {
    return (await this.take(await this.u32())).toString('utf8');
  }
}

function frame(type: string, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function reply(socket: net.Socket, response: ToolResponse): void {
  const frames: Buffer[] = [];
  if (response.stdout) frames.push(frame('o', response.stdout));
  if (response.stderr) frames.push(frame('e', response.stderr));
  if (response.outputFile) frames.push(frame('w', Buffer.concat([Buffer.from(`${response.outputFile.path}\0`), Buffer.from(response.outputFile.content)])));
  frames.push(frame('x', String(response.code)));
  socket.end(Buffer.concat(frames));
}

/**
 * How the agent wants one tool call handled (fault injection): run it; fail it as a tool whose agent
 * call failed; or kill the hook process before the tool runs or after it took effect (no reply).
 */
export type ToolCallHandling =
  | { kind: 'run' }
  | { kind: 'fail'; message: string }
  | { kind: 'kill'; when: 'before' | 'after'; kill: () => Promise<void> }
  /** do something to the world first (a test's fault), then run the call */
  | { kind: 'act'; action: () => Promise<void> };

export type ToolInterceptor = (tool: string, args: readonly string[]) => ToolCallHandling;

/** Serves hook-tool calls on one unix socket (a path, or "@name" for an abstract socket). */
export class ToolServer {
  private server: net.Server | null = null;
  private socketPath: string | null = null;
  private readonly contexts = new Map<string, HookContext>();
  private readonly interceptors = new Map<string, ToolInterceptor>();
  private readonly connections = new Set<net.Socket>();

  async start(socketPath: string): Promise<void> {
    if (this.server) throw new Error(`tool server already listening on ${this.socketPath ?? ''}`);
    const abstract = socketPath.startsWith('@');
    if (!abstract) {
      mkdirSync(path.dirname(socketPath), { recursive: true });
      rmSync(socketPath, { force: true }); // a stale socket from a crashed run
    }
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(abstract ? `\0${socketPath.slice(1)}` : socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.socketPath = socketPath;
  }

  /** Tool calls carrying ctx.contextId act on ctx until it is unregistered. */
  register(ctx: HookContext, interceptor?: ToolInterceptor): void {
    this.contexts.set(ctx.contextId, ctx);
    if (interceptor) this.interceptors.set(ctx.contextId, interceptor);
  }

  unregister(contextId: string): void {
    this.contexts.delete(contextId);
    this.interceptors.delete(contextId);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.connections) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.socketPath && !this.socketPath.startsWith('@')) rmSync(this.socketPath, { force: true });
    this.socketPath = null;
  }

  private accept(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    this.serve(socket).catch(() => socket.destroy());
  }

  private async serve(socket: net.Socket): Promise<void> {
    const reader = new FrameReader(socket);
    const count = await reader.u32();
    const fields: string[] = [];
    for (let i = 0; i < count; i++) fields.push(await reader.string());
    const [version, contextId = '', tool = '', , ...args] = fields;
    if (version !== PROTOCOL_VERSION) return reply(socket, { code: 1, stdout: '', stderr: 'ERROR bad request: unsupported protocol version\n' });
    const ctx = this.contexts.get(contextId);
    if (!ctx || ctx.isClosed()) return reply(socket, { code: 1, stdout: '', stderr: `ERROR bad request: unknown context ${JSON.stringify(contextId)}\n` });
    const handling = this.interceptors.get(contextId)?.(tool, args) ?? { kind: 'run' };
    if (handling.kind === 'act') await handling.action();
    if (handling.kind === 'fail') return reply(socket, { code: 1, stdout: '', stderr: `ERROR ${handling.message}\n` });
    if (handling.kind === 'kill' && handling.when === 'before') {
      await handling.kill();
      socket.destroy();
      return;
    }
    const call = prepareTool(tool, args);
    const inputs = new Map<string, ToolInput>();
    if (call.kind === 'ready') {
      for (const wanted of call.inputs) {
        if (inputs.has(wanted)) continue;
        socket.write(frame('i', wanted));
        const kind = (await reader.take(1)).toString('latin1');
        const payload = await reader.take(await reader.u32());
        inputs.set(wanted, kind === 'd' ? { data: payload.toString('utf8') } : { error: payload.toString('utf8') });
      }
    }
    const response = executeTool(ctx, call, inputs);
    if (handling.kind === 'kill') {
      await handling.kill();
      socket.destroy();
      return;
    }
    reply(socket, response);
  }
}

/**
 * Fills a unit's tools directory as Juju does: a copy of the jujuc client plus one symlink per tool
 * pointing at it. Idempotent.
 */
export function installToolLinks(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const client = path.join(dir, 'jujuc');
  const tmp = `${client}.${process.pid}.tmp`;
  copyFileSync(ensureJujucBuilt(), tmp);
  renameSync(tmp, client);
  for (const name of TOOL_NAMES) {
    const link = path.join(dir, name);
    try {
      unlinkSync(link);
    } catch {
      // not there yet
    }
    symlinkSync('jujuc', link);
  }
}
