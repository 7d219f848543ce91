// HookTools in memory over a JujuState, enforcing Juju's rules the way the real tools do (same error
// text and exit codes, contract §3 and §4.7): own unit bag only, app bag only as leader, no reading this
// app's bag from a non-leader outside a peer relation, string values, "" deletes, secret ownership and
// grants. Commit on success: relation data, charm state, secrets and ports written during a hook stay
// pending until the test calls commit() (the hook exited 0) and are dropped by rollback(); status,
// leader settings, logs, workload version and action output take effect at once.
import { HookToolError, type Bag, type CharmConfigValues, type HookTools, type LogLevel, type NetworkInfo, type RelationId, type SecretContent, type SecretInfo, type StorageInfo, type UnitName, type WorkloadStatus } from '../../src/juju/hook-tools';
import { jujuHasSecrets } from '../../src/juju/secrets-support';
import { flattenResults } from '../../src/juju/tool-calls';
import { appOf, type JujuState, type RelationState, type SecretState } from './juju-state';
import { everyStatusSet } from './status-wording';

const SETTABLE = ['maintenance', 'blocked', 'waiting', 'active'];
const SECRET_KEY = /^[a-z](?:-?[a-z0-9]){2,}$/;
const ACTION_KEY = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const fail = (tool: string, exitCode: 1 | 2, message: string): never => {
  throw new HookToolError(tool, exitCode, `ERROR ${message}\n`);
};

export class FakeJuju implements HookTools {
  /** what Juju has committed */
  private committed: JujuState;
  /** what this hook sees: committed plus its own pending writes */
  private working: JujuState;
  /** every call that writes anything, as `tool target keys` (never values), committed or not */
  readonly writes: string[] = [];
  /** every tool this hook ran, reads included, in order */
  readonly calls: string[] = [];
  /** every status set, in order */
  readonly statuses: WorkloadStatus[] = [];
  private secretCounter = 0;
  /** tools told to fail (failTool), with the exit status and stderr they fail with */
  private readonly failing = new Map<string, { exitCode: number; message: string }>();

  constructor(state: JujuState | { build(): JujuState }) {
    this.committed = structuredClone('build' in state ? state.build() : state);
    this.working = structuredClone(this.committed);
  }

  /** From now on `tool` fails as a real tool would: this exit status, `ERROR <message>` on stderr. */
  failTool(tool: string, exitCode: number, message: string): this {
    this.failing.set(tool, { exitCode, message });
    return this;
  }

  get secretsSupported(): boolean {
    return jujuHasSecrets({ jujuVersion: this.committed.jujuVersion });
  }

  /** Every tool run is listed in `calls`; a tool told to fail (or a secret tool on a Juju without secrets) fails. */
  private called(tool: string): void {
    this.calls.push(tool);
    // a Juju without secrets has no secret-* tools: the shell's "not found"
    if (tool.startsWith('secret-') && !this.secretsSupported) throw new HookToolError(tool, 127, `${tool}: not found on PATH`);
    const told = this.failing.get(tool);
    if (told) throw new HookToolError(tool, told.exitCode, `ERROR ${told.message}\n`);
  }

  /** The hook exited 0: Juju commits its pending writes in one transaction. */
  commit(): void {
    this.committed = structuredClone(this.working);
  }

  /** The hook failed: its pending writes are dropped; immediate effects stay. */
  rollback(): void {
    this.working = structuredClone(this.committed);
  }

  /** A copy of the committed state ("state out"). */
  get state(): JujuState {
    return structuredClone(this.committed);
  }

  get unitStatus(): WorkloadStatus {
    return { ...this.committed.unitStatus };
  }

  get logs(): string[] {
    return this.committed.logs.map((l) => `${l.level} ${l.message}`);
  }

  /** Applies an immediate effect to both the committed and the working state. */
  private now(effect: (s: JujuState) => void): void {
    effect(this.committed);
    effect(this.working);
  }

  private relation(tool: string, id: RelationId, s: JujuState = this.working): RelationState {
    const found = s.relations.find((r) => r.id === id);
    return found ?? fail(tool, 2, `invalid value "${id}" for option -r: relation not found`);
  }

  private get app(): string {
    return appOf(this.committed.unit);
  }

  // configuration and identity

  async configGet(): Promise<CharmConfigValues> {
    this.called('config-get');
    return { ...this.working.config };
  }

  async networkGet(binding: string, relationId?: RelationId): Promise<NetworkInfo> {
    this.called('network-get');
    if (relationId !== undefined) this.relation('network-get', relationId);
    const info = this.working.networks[binding];
    return info ? structuredClone(info) : fail('network-get', 1, `no network config found for binding "${binding}"`);
  }

  // relations

  async relationIds(endpoint: string): Promise<RelationId[]> {
    this.called('relation-ids');
    return this.working.relations.filter((r) => r.endpoint === endpoint).map((r) => r.id).sort();
  }

  async relationList(id: RelationId): Promise<UnitName[]> {
    this.called('relation-list');
    return Object.keys(this.relation('relation-list', id).remoteUnits).sort();
  }

  async relationGet(id: RelationId, member: string, opts: { app?: boolean } = {}): Promise<Bag> {
    this.called('relation-get');
    const tool = 'relation-get';
    const relation = this.relation(tool, id);
    const committed = this.relation(tool, id, this.committed);
    const isUnit = member.includes('/');
    if (!opts.app && !isUnit) fail(tool, 2, `expected unit name, got application name "${member}"`);
    const app = opts.app ? (isUnit ? appOf(member) : member) : null;
    if (app === null) {
      if (member === this.working.unit) return { ...relation.localUnit }; // read locally, pending writes included
      const bag = committed.remoteUnits[member];
      return bag ? { ...bag } : fail(tool, 1, `cannot read settings for unit "${member}" in relation "${id}": unit "${member}": settings not found`);
    }
    if (app === this.app) {
      if (this.working.leader) return { ...relation.localApp }; // the leader reads its app bag locally
      if (!relation.peer) fail(tool, 1, 'permission denied');
      return { ...committed.localApp };
    }
    if (app === relation.remoteApp) return { ...committed.remoteAppData };
    return fail(tool, 1, `permission denied: application "${app}" is not in relation "${id}"`);
  }

  async relationSet(id: RelationId, changes: Bag, opts: { app?: boolean } = {}): Promise<void> {
    this.called('relation-set');
    const tool = 'relation-set';
    const relation = this.relation(tool, id);
    checkSettings(tool, changes);
    if (opts.app && !this.working.leader) fail(tool, 1, 'cannot write relation settings');
    this.writes.push(`${tool} ${id}${opts.app ? ' --app' : ''} ${Object.keys(changes).sort().join(',')}`);
    applyChanges(opts.app ? relation.localApp : relation.localUnit, changes);
  }

  // status and logging

  async statusSet(status: WorkloadStatus, opts: { application?: boolean } = {}): Promise<void> {
    this.called('status-set');
    if (!SETTABLE.includes(status.status)) fail('status-set', 2, `invalid status "${status.status}", expected one of [${SETTABLE.join(' ')}]`);
    if (opts.application && !this.working.leader) fail('status-set', 1, 'this unit is not the leader');
    const copy = { status: status.status, message: status.message };
    if (!opts.application) this.statuses.push(copy);
    everyStatusSet.push(copy);
    this.now((s) => {
      if (opts.application) s.appStatus = { ...copy };
      else s.unitStatus = { ...copy };
    });
  }

  async statusGet(): Promise<WorkloadStatus> {
    this.called('status-get');
    return { ...this.working.unitStatus };
  }

  async applicationVersionSet(version: string): Promise<void> {
    this.called('application-version-set');
    this.now((s) => {
      s.workloadVersion = version;
    });
  }

  async log(level: LogLevel, message: string): Promise<void> {
    this.called('juju-log');
    if (message === '') fail('juju-log', 2, 'no message specified');
    this.now((s) => s.logs.push({ level, message }));
  }

  // charm state

  async stateGet(): Promise<Bag> {
    this.called('state-get');
    return { ...this.working.charmState };
  }

  async stateSet(changes: Bag): Promise<void> {
    this.called('state-set');
    checkSettings('state-set', changes);
    for (const [key, value] of Object.entries(changes)) {
      if (Buffer.byteLength(key) > 256) fail('state-set', 1, `key "${key}" exceeds the 256 byte limit`);
      if (Buffer.byteLength(value) > 65536) fail('state-set', 1, `value for "${key}" exceeds the 64 KiB limit`);
    }
    this.writes.push(`state-set ${Object.keys(changes).sort().join(',')}`);
    // juju's state-set hands every value to SetCharmStateValue unchanged: "" is stored, not a deletion
    Object.assign(this.working.charmState, changes);
  }

  async stateDelete(key: string): Promise<void> {
    this.called('state-delete');
    this.writes.push(`state-delete ${key}`);
    delete this.working.charmState[key];
  }

  // storage and resources (the operator attaches them: tests change them with attachStorage/detachStorage)

  async storageList(name: string): Promise<string[]> {
    this.called('storage-list');
    return Object.keys(this.working.storage).filter((id) => id.startsWith(`${name}/`)).sort();
  }

  async storageGet(id: string): Promise<StorageInfo> {
    this.called('storage-get');
    const found = this.working.storage[id];
    return found ? { ...found } : fail('storage-get', 1, `invalid value "${id}" for option -s: storage instance "${id}" not found`);
  }

  async resourceGet(name: string): Promise<string> {
    this.called('resource-get');
    return this.working.resources[name] ?? fail('resource-get', 1, `could not download resource: HTTP request failed: resource#${this.app}/${name} not found`);
  }

  /** Juju attached (or the operator added) a storage instance. */
  attachStorage(id: string, location: string): this {
    this.now((s) => (s.storage[id] = { kind: 'block', location }));
    return this;
  }

  /** The storage is gone (after its -storage-detaching hook succeeded). */
  detachStorage(id: string): this {
    this.now((s) => delete s.storage[id]);
    return this;
  }

  /** juju attach-resource: the next resource-get prints `path`. */
  attachResource(name: string, path: string): this {
    this.now((s) => (s.resources[name] = path));
    return this;
  }

  // actions

  private action(tool: string): NonNullable<JujuState['action']>[] {
    if (!this.working.action) fail(tool, 1, 'not running an action');
    return [this.committed.action, this.working.action].filter((a): a is NonNullable<typeof a> => a !== null);
  }

  async actionGet(): Promise<Readonly<Record<string, unknown>>> {
    this.called('action-get');
    this.action('action-get');
    return structuredClone(this.working.action?.params ?? {});
  }

  async actionSet(results: Readonly<Record<string, unknown>>): Promise<void> {
    this.called('action-set');
    const targets = this.action('action-set');
    const flat = flattenResults(results);
    for (const [key] of flat) {
      for (const part of key.split('.')) {
        if (!ACTION_KEY.test(part)) fail('action-set', 2, `key "${part}" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods`);
      }
      const top = key.split('.')[0] ?? '';
      if (['stdout', 'stdout-encoding', 'stderr', 'stderr-encoding'].includes(top)) fail('action-set', 2, `cannot set reserved action key "${top}"`);
    }
    for (const action of targets) for (const [key, value] of flat) action.results[key] = value;
  }

  async actionFail(message: string): Promise<void> {
    this.called('action-fail');
    for (const action of this.action('action-fail')) action.failed = message || 'action failed without reason given, check action for errors';
  }

  async actionLog(message: string): Promise<void> {
    this.called('action-log');
    if (message === '') fail('action-log', 2, 'no message specified');
    for (const action of this.action('action-log')) action.logs.push(message);
  }

  // secrets

  private secret(tool: string, ref: { id?: string; label?: string }, s: JujuState = this.working): SecretState {
    if (ref.id === undefined && ref.label === undefined) fail(tool, 2, 'require either a secret URI or label');
    const found = s.secrets.find((x) => (ref.id !== undefined ? x.id === ref.id : x.label === ref.label));
    return found ?? fail(tool, 1, `secret "${ref.id ?? ref.label}" not found`);
  }

  /** May this unit manage the secret? Unit-owned: yes; app-owned: the leader only. */
  private owns(secret: SecretState): boolean {
    return secret.owner === 'unit' || (secret.owner === 'application' && this.working.leader);
  }

  private ownedSecret(tool: string, id: string): SecretState {
    const secret = this.secret(tool, { id });
    if (!this.owns(secret)) fail(tool, 1, 'permission denied');
    return secret;
  }

  async secretAdd(content: SecretContent, opts: { label?: string; description?: string; owner?: 'unit' | 'application' } = {}): Promise<string> {
    this.called('secret-add');
    const owner = opts.owner ?? 'application';
    checkSecretContent('secret-add', content);
    if (owner === 'application' && !this.working.leader) fail('secret-add', 1, 'this unit is not the leader');
    if (opts.label !== undefined && this.working.secrets.some((s) => s.label === opts.label)) fail('secret-add', 1, `secret with label "${opts.label}" already exists`);
    this.secretCounter += 1;
    const id = `secret:fake${String(this.secretCounter).padStart(16, '0')}`;
    this.writes.push(`secret-add ${id} ${Object.keys(content).sort().join(',')}`);
    this.working.secrets.push({
      id,
      owner,
      ...(opts.label === undefined ? {} : { label: opts.label }),
      ...(opts.description === undefined ? {} : { description: opts.description }),
      revisions: [{ ...content }],
      grants: [],
    });
    return id;
  }

  async secretGet(ref: { id?: string; label?: string }, _opts: { peek?: boolean; refresh?: boolean } = {}): Promise<SecretContent> {
    this.called('secret-get');
    // content comes from what is committed: a revision made in this hook is not readable yet
    const secret = this.secret('secret-get', ref, this.committed);
    // every unit of the owning app reads an app-owned secret; another app's secret needs a grant
    if (secret.owner === 'remote' && !secret.granted) fail('secret-get', 1, 'permission denied');
    const latest = secret.revisions[secret.revisions.length - 1];
    return { ...(latest ?? {}) };
  }

  async secretSet(id: string, content: SecretContent): Promise<void> {
    this.called('secret-set');
    checkSecretContent('secret-set', content);
    const secret = this.ownedSecret('secret-set', id);
    this.writes.push(`secret-set ${id} ${Object.keys(content).sort().join(',')}`);
    secret.revisions.push({ ...content });
  }

  async secretIds(): Promise<string[]> {
    this.called('secret-ids');
    return this.committed.secrets.filter((s) => s.owner !== 'remote' && this.owns(s)).map((s) => s.id);
  }

  async secretInfoGet(ref: { id?: string; label?: string }): Promise<SecretInfo> {
    this.called('secret-info-get');
    const secret = this.secret('secret-info-get', ref, this.committed);
    if (secret.owner === 'remote' || !this.owns(secret)) fail('secret-info-get', 1, `secret "${ref.id ?? ref.label}" not found`);
    const owner = secret.owner === 'unit' ? 'unit' : 'application';
    const base = { id: secret.id, revision: secret.revisions.length, owner } as const;
    return secret.label === undefined ? base : { ...base, label: secret.label };
  }
}

/** Keys non-empty and free of "=", values strings: what key=value parsing and YAML string maps allow. */
function checkSettings(tool: string, changes: Bag): void {
  for (const [key, value] of Object.entries(changes)) {
    if (key.trim() === '' || key.includes('=')) fail(tool, 2, `expected "key=value", got "${key}=…"`);
    if (typeof value !== 'string') fail(tool, 2, `value for "${key}" is ${typeof value}, not a string`);
  }
}

function applyChanges(bag: Record<string, string>, changes: Bag): void {
  for (const [key, value] of Object.entries(changes)) {
    if (value === '') delete bag[key];
    else bag[key] = value;
  }
}

function checkSecretContent(tool: string, content: SecretContent): void {
  const keys = Object.keys(content);
  if (keys.length === 0) fail(tool, 2, 'missing secret value or filename');
  for (const key of keys) {
    if (!SECRET_KEY.test(key)) fail(tool, 2, `key "${key}" not valid`);
    if (content[key] === '') fail(tool, 1, 'empty secret value not valid');
  }
}
