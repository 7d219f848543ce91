// The ToolBridge over the real hook tools: one ToolServer per unit socket, a HookContext per hook run.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { HookContext, installToolLinks, ToolServer } from '../tools';
import type { ContextRequest, HookContextHandle, ToolBridge } from './tool-bridge';

class RealToolBridge implements ToolBridge {
  private readonly servers = new Map<string, ToolServer>();
  private readonly contextServer = new Map<string, ToolServer>();

  async serve(unitName: string, hostSocketPath: string): Promise<void> {
    if (this.servers.has(unitName)) return;
    const server = new ToolServer();
    await server.start(hostSocketPath);
    this.servers.set(unitName, server);
  }

  openContext(req: ContextRequest): HookContextHandle {
    const server = this.servers.get(req.unit.name);
    if (!server) throw new Error(`no tool server for ${req.unit.name}`);
    const ctx = new HookContext({
      state: req.state,
      unit: req.unit.name,
      event: req.event,
      contextId: req.contextId,
      log: req.log,
      now: () => new Date(req.now()),
    });
    server.register(ctx, req.interceptor);
    this.contextServer.set(req.contextId, server);
    return {
      commit: () => ctx.commit(),
      discard: () => ctx.discard(),
      actionOutcome: (exitCode) => ctx.getActionOutcome(exitCode),
    };
  }

  closeContext(contextId: string): void {
    this.contextServer.get(contextId)?.unregister(contextId);
    this.contextServer.delete(contextId);
  }

  async installTools(hostToolsDir: string): Promise<void> {
    if (!existsSync(path.join(hostToolsDir, 'jujuc'))) installToolLinks(hostToolsDir);
  }

  async close(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export function createToolBridge(): ToolBridge {
  return new RealToolBridge();
}
