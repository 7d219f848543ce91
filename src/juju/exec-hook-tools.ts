// HookTools over the real hook tools: argv from tool-calls.ts, JSON from tool-output.ts, processes from an
// injected runner. A non-zero exit becomes HookToolError{tool, exitCode, stderr}. What cannot change during
// one hook (config, addresses, network info) is read once per process.
import { HookToolError, type Bag, type CharmConfigValues, type HookTools, type LogLevel, type NetworkInfo, type RelationId, type SecretContent, type SecretInfo, type StorageInfo, type UnitName, type WorkloadStatus } from './hook-tools';
import * as calls from './tool-calls';
import * as output from './tool-output';
import { jujuHasSecrets } from './secrets-support';

// only the hooks that write secrets load fs/promises (and what it pulls in)
const secretFiles = (): Promise<typeof import('./secret-files')> => import('./secret-files');
import type { ToolRunner } from './tool-runner';

export interface ExecHookToolsOptions {
  /** where the 0600 secret content files are made (default: the OS temp dir) */
  readonly secretFileDir?: string;
  /** JUJU_VERSION and PATH of the hook: they decide secretsSupported (secrets-support.ts) */
  readonly jujuVersion?: string | undefined;
  readonly path?: string | undefined;
}

export class ExecHookTools implements HookTools {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly runner: ToolRunner,
    private readonly options: ExecHookToolsOptions = {},
  ) {}

  private secretsKnown: boolean | undefined;

  get secretsSupported(): boolean {
    if (this.options.jujuVersion === undefined && this.options.path === undefined) {
      throw new Error('hook tools built without JUJU_VERSION or PATH: cannot tell whether this Juju has secrets');
    }
    this.secretsKnown ??= jujuHasSecrets({ jujuVersion: this.options.jujuVersion, path: this.options.path });
    return this.secretsKnown;
  }

  /** Runs one call; returns stdout, or throws HookToolError with the tool's stderr. */
  private async run(toolCall: calls.ToolCall): Promise<string> {
    const result = await this.runner(toolCall.tool, toolCall.args, toolCall.stdin === undefined ? {} : { stdin: toolCall.stdin });
    if (result.exitCode !== 0) throw new HookToolError(toolCall.tool, result.exitCode, result.stderr);
    return result.stdout;
  }

  /** The same answer for the rest of this hook; a failed read is not remembered. */
  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = this.cache.get(key);
    if (known) return known as Promise<T>;
    const pending = read();
    this.cache.set(key, pending);
    pending.catch(() => this.cache.delete(key));
    return pending;
  }

  /** Each caller gets its own copy of the one config read, so no caller can change another's. */
  async configGet(): Promise<CharmConfigValues> {
    const config = await this.once('config-get', async () => output.config('config-get', await this.run(calls.configGet())));
    return Object.assign(Object.create(null) as Record<string, CharmConfigValues[string]>, config);
  }

  networkGet(binding: string, relationId?: RelationId): Promise<NetworkInfo> {
    return this.once(`network-get ${binding} ${relationId ?? ''}`, async () => output.networkInfo('network-get', await this.run(calls.networkGet(binding, relationId))));
  }

  async relationIds(endpoint: string): Promise<RelationId[]> {
    return output.stringList('relation-ids', await this.run(calls.relationIds(endpoint)));
  }

  async relationList(id: RelationId): Promise<UnitName[]> {
    return output.stringList('relation-list', await this.run(calls.relationList(id)));
  }

  async relationGet(id: RelationId, member: string, opts: { app?: boolean } = {}): Promise<Bag> {
    return output.stringMap('relation-get', await this.run(calls.relationGet(id, member, opts.app ?? false)));
  }

  async relationSet(id: RelationId, changes: Bag, opts: { app?: boolean } = {}): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.run(calls.relationSet(id, changes, opts.app ?? false));
  }

  async statusSet(status: WorkloadStatus, opts: { application?: boolean } = {}): Promise<void> {
    await this.run(calls.statusSet(status, opts.application ?? false));
  }

  async statusGet(): Promise<WorkloadStatus> {
    return output.workloadStatus('status-get', await this.run(calls.statusGet()));
  }

  async applicationVersionSet(version: string): Promise<void> {
    await this.run(calls.applicationVersionSet(version));
  }

  async log(level: LogLevel, message: string): Promise<void> {
    await this.run(calls.jujuLog(level, message));
  }

  async stateGet(): Promise<Bag> {
    return output.stringMap('state-get', await this.run(calls.stateGet()));
  }

  async stateSet(changes: Bag): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.run(calls.stateSet(changes));
  }

  async stateDelete(key: string): Promise<void> {
    await this.run(calls.stateDelete(key));
  }

  async actionGet(): Promise<Readonly<Record<string, unknown>>> {
    return output.object('action-get', await this.run(calls.actionGet()));
  }

  async actionSet(results: Readonly<Record<string, unknown>>): Promise<void> {
    if (Object.keys(results).length === 0) return;
    await this.run(calls.actionSet(results));
  }

  async actionFail(message: string): Promise<void> {
    await this.run(calls.actionFail(message));
  }

  async actionLog(message: string): Promise<void> {
    await this.run(calls.actionLog(message));
  }

  async secretAdd(content: SecretContent, opts: { label?: string; description?: string; owner?: 'unit' | 'application' } = {}): Promise<string> {
    calls.checkSecretContent(content);
    const stdout = await (await secretFiles()).withSecretFiles(content, (files) => this.run(calls.secretAdd(files, opts)), this.options.secretFileDir);
    return output.secretUri('secret-add', stdout);
  }

  async secretGet(ref: { id?: string; label?: string }, opts: { peek?: boolean; refresh?: boolean } = {}): Promise<SecretContent> {
    return output.stringMap('secret-get', await this.run(calls.secretGet(ref, opts)));
  }

  async secretSet(id: string, content: SecretContent): Promise<void> {
    calls.checkSecretContent(content);
    await (await secretFiles()).withSecretFiles(content, (files) => this.run(calls.secretSet(id, files)), this.options.secretFileDir);
  }

  async secretIds(): Promise<string[]> {
    return output.stringList('secret-ids', await this.run(calls.secretIds()));
  }

  async secretInfoGet(ref: { id?: string; label?: string }): Promise<SecretInfo> {
    return output.secretInfo('secret-info-get', await this.run(calls.secretInfoGet(ref)));
  }

  async storageList(name: string): Promise<string[]> {
    return output.stringList('storage-list', await this.run(calls.storageList(name)));
  }

  async storageGet(id: string): Promise<StorageInfo> {
    return output.storageInfo('storage-get', await this.run(calls.storageGet(id)));
  }

  async resourceGet(name: string): Promise<string> {
    return output.resourcePath('resource-get', await this.run(calls.resourceGet(name)));
  }
}
