// A small HookTools for the handler tests until test/fakes/fake-juju.ts lands: state and relation
// writes stay pending until commit() (Juju's commit-on-success), status and logs are immediate.
import type { Bag, CharmConfigValues, HookTools, NetworkInfo, RelationId, SecretContent, SecretInfo, UnitName, WorkloadStatus } from '../../src/juju/hook-tools';
import { HookToolError } from '../../src/juju/hook-tools';
import { everyStatusSet } from '../fakes/status-wording';

export class RecordingJuju implements HookTools {
  config: Record<string, string | number | boolean> = {};
  state: Record<string, string> = {};
  private pendingState: Record<string, string> = {};
  /** relation id → remote unit → bag */
  readonly remote = new Map<RelationId, Map<UnitName, Record<string, string>>>();
  /** relation id → this unit's bag (committed) */
  readonly ownBags = new Map<RelationId, Record<string, string>>();
  private pendingBags = new Map<RelationId, Record<string, string>>();
  readonly secrets = new Map<string, SecretContent>();
  private pendingSecrets = new Map<string, SecretContent>();
  readonly statuses: WorkloadStatus[] = [];
  readonly logs: string[] = [];
  versions: string[] = [];
  bindAddress: string | null = '10.0.0.5';
  hasSecrets = true;
  get secretsSupported(): boolean {
    return this.hasSecrets;
  }
  /** every tool call that writes anything, committed or not */
  readonly writes: string[] = [];

  relate(id: RelationId, unit: UnitName, bag: Record<string, string>): void {
    this.remote.set(id, new Map([[unit, bag]]));
  }

  /** the hook exited 0 */
  commit(): void {
    for (const [k, v] of Object.entries(this.pendingState)) if (v === '') delete this.state[k]; else this.state[k] = v;
    for (const [id, bag] of this.pendingBags) {
      const own = { ...(this.ownBags.get(id) ?? {}) };
      for (const [k, v] of Object.entries(bag)) if (v === '') delete own[k]; else own[k] = v;
      this.ownBags.set(id, own);
    }
    for (const [id, content] of this.pendingSecrets) this.secrets.set(id, content);
    this.pendingState = {};
    this.pendingBags = new Map();
    this.pendingSecrets = new Map();
  }

  get lastStatus(): WorkloadStatus | undefined {
    return this.statuses[this.statuses.length - 1];
  }

  async configGet(): Promise<CharmConfigValues> {
    return { ...this.config };
  }
  async unitGet(): Promise<string> {
    return '10.0.0.5';
  }
  async networkGet(): Promise<NetworkInfo> {
    if (!this.bindAddress) throw new HookToolError('network-get', 1, 'ERROR no network config found for binding "lxd-migration"');
    return { bindAddresses: [{ interfaceName: 'eth0', addresses: [{ value: this.bindAddress, cidr: '10.0.0.0/24' }] }], ingressAddresses: [this.bindAddress], egressSubnets: [] };
  }
  async isLeader(): Promise<boolean> {
    return true;
  }
  async relationIds(endpoint: string): Promise<RelationId[]> {
    return [...this.remote.keys()].filter((id) => id.startsWith(`${endpoint}:`));
  }
  async relationList(id: RelationId): Promise<UnitName[]> {
    return [...(this.remote.get(id)?.keys() ?? [])];
  }
  async relationRemoteApp(id: RelationId): Promise<string> {
    return (await this.relationList(id))[0]?.split('/')[0] ?? '';
  }
  async relationGet(id: RelationId, member: string): Promise<Bag> {
    return { ...(this.remote.get(id)?.get(member) ?? {}) };
  }
  async relationSet(id: RelationId, changes: Bag): Promise<void> {
    this.writes.push(`relation-set ${id} ${Object.keys(changes).sort().join(',')}`);
    this.pendingBags.set(id, { ...(this.pendingBags.get(id) ?? {}), ...changes });
  }
  async leaderGet(): Promise<Bag> {
    return {};
  }
  async leaderSet(): Promise<void> {
    this.writes.push('leader-set');
  }
  async statusSet(status: WorkloadStatus): Promise<void> {
    this.writes.push(`status-set ${status.status}`);
    this.statuses.push(status);
    everyStatusSet.push(status);
  }
  async statusGet(): Promise<WorkloadStatus> {
    return this.lastStatus ?? { status: 'unknown', message: '' };
  }
  async applicationVersionSet(version: string): Promise<void> {
    this.writes.push('application-version-set');
    this.versions.push(version);
  }
  async log(level: string, message: string): Promise<void> {
    this.logs.push(`${level} ${message}`);
  }
  async stateGet(): Promise<Bag> {
    return { ...this.state, ...this.pendingState };
  }
  async stateSet(changes: Bag): Promise<void> {
    this.writes.push(`state-set ${Object.keys(changes).sort().join(',')}`);
    Object.assign(this.pendingState, changes);
  }
  async stateDelete(key: string): Promise<void> {
    this.pendingState[key] = '';
  }
  async actionGet(): Promise<Record<string, unknown>> {
    return {};
  }
  readonly actionResults: Record<string, unknown> = {};
  actionFailure: string | null = null;
  async actionSet(results: Readonly<Record<string, unknown>>): Promise<void> {
    Object.assign(this.actionResults, results);
  }
  async actionFail(message: string): Promise<void> {
    this.actionFailure = message;
  }
  async actionLog(): Promise<void> {}
  async openPort(): Promise<void> {}
  async closePort(): Promise<void> {}
  async openedPorts(): Promise<string[]> {
    return [];
  }
  async secretAdd(content: SecretContent, opts?: { owner?: 'unit' | 'application' }): Promise<string> {
    if (!this.hasSecrets) throw new HookToolError('secret-add', 127, 'secret-add: command not found');
    if (opts?.owner !== 'unit') throw new HookToolError('secret-add', 1, 'ERROR this unit is not the leader');
    const id = `secret:${this.secrets.size + this.pendingSecrets.size + 1}`;
    this.writes.push('secret-add');
    this.pendingSecrets.set(id, { ...content });
    return id;
  }
  async secretGet(idOrLabel: { id?: string }): Promise<SecretContent> {
    const content = this.secrets.get(idOrLabel.id ?? '') ?? this.pendingSecrets.get(idOrLabel.id ?? '');
    if (!content) throw new HookToolError('secret-get', 1, `ERROR secret "${idOrLabel.id}" not found`);
    return content;
  }
  async secretSet(): Promise<void> {}
  async secretGrant(): Promise<void> {}
  async secretRevoke(): Promise<void> {}
  async secretRemove(): Promise<void> {}
  async secretIds(): Promise<string[]> {
    return [...this.secrets.keys()];
  }
  async secretInfoGet(): Promise<SecretInfo> {
    throw new HookToolError('secret-info-get', 1, 'ERROR not found');
  }
}
