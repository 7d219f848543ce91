// The charm's one boundary to Juju: every hook tool the charm uses, typed.
// exec-hook-tools.ts implements it over the real tools (node:child_process, --format=json);
// test/fakes/fake-juju.ts implements it in memory and enforces Juju's access rules.

export type UnitName = string; // "lxd/0"
export type AppName = string; // "lxd"
export type RelationId = string; // "lxd-migration:3", as relation-ids prints it

/** A relation data bag: values are always strings; setting "" deletes a key. */
export type Bag = Readonly<Record<string, string>>;

export type ConfigValue = string | number | boolean;
export type CharmConfigValues = Readonly<Record<string, ConfigValue>>;

export type StatusName = 'active' | 'blocked' | 'maintenance' | 'waiting' | 'unknown' | 'error';
export interface WorkloadStatus {
  readonly status: StatusName;
  readonly message: string;
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/** What `network-get <binding>` reports, reduced to what a charm needs. */
export interface NetworkInfo {
  readonly bindAddresses: ReadonlyArray<{
    readonly interfaceName: string;
    readonly addresses: ReadonlyArray<{ readonly value: string; readonly cidr: string }>;
  }>;
  readonly ingressAddresses: readonly string[];
  readonly egressSubnets: readonly string[];
}

export interface SecretContent {
  readonly [key: string]: string;
}

export interface SecretInfo {
  readonly id: string;
  readonly label?: string;
  readonly revision: number;
  readonly owner: 'unit' | 'application';
}

/** What `storage-get -s <id>` reports of one attached storage instance. */
export interface StorageInfo {
  readonly kind: 'block' | 'filesystem';
  /** a block device path (/dev/vdb) or a mount point */
  readonly location: string;
}

export interface HookTools {
  // configuration and identity
  configGet(): Promise<CharmConfigValues>;
  networkGet(binding: string, relationId?: RelationId): Promise<NetworkInfo>;

  // relations
  relationIds(endpoint: string): Promise<RelationId[]>;
  /** The remote units currently in the relation (peers: the other units, never this one). */
  relationList(id: RelationId): Promise<UnitName[]>;
  /** Reads a whole bag: `member` is a unit name, or an app name with `app: true`. */
  relationGet(id: RelationId, member: UnitName | AppName, opts?: { app?: boolean }): Promise<Bag>;
  /** Writes keys; "" deletes. `app: true` writes the application bag (leader only). */
  relationSet(id: RelationId, changes: Bag, opts?: { app?: boolean }): Promise<void>;

  // status and logging
  statusSet(status: WorkloadStatus, opts?: { application?: boolean }): Promise<void>;
  statusGet(): Promise<WorkloadStatus>;
  applicationVersionSet(version: string): Promise<void>;
  log(level: LogLevel, message: string): Promise<void>;

  // charm state (unit-local, committed on hook success)
  stateGet(): Promise<Bag>;
  stateSet(changes: Bag): Promise<void>;
  stateDelete(key: string): Promise<void>;

  // actions
  actionGet(): Promise<Readonly<Record<string, unknown>>>;
  /** Nested maps become dotted keys. action-set has no --file: results travel on argv, so no secrets. */
  actionSet(results: Readonly<Record<string, unknown>>): Promise<void>;
  actionFail(message: string): Promise<void>;
  actionLog(message: string): Promise<void>;

  // secrets
  /** Whether this Juju has secrets at all (3.0.2+), decided by the adapter from the agent's version. */
  readonly secretsSupported: boolean;
  secretAdd(content: SecretContent, opts?: { label?: string; description?: string; owner?: 'unit' | 'application' }): Promise<string>;
  secretGet(idOrLabel: { id?: string; label?: string }, opts?: { peek?: boolean; refresh?: boolean }): Promise<SecretContent>;
  secretSet(id: string, content: SecretContent): Promise<void>;
  secretIds(): Promise<string[]>;
  secretInfoGet(idOrLabel: { id?: string; label?: string }): Promise<SecretInfo>;

  // storage (contract §3.10) and resources
  /** storage-list <name>: the ids of the instances attached to this unit ("local/0") */
  storageList(name: string): Promise<string[]>;
  storageGet(id: string): Promise<StorageInfo>;
  /** resource-get <name>: the path of the resource's file on this machine; HookToolError when none was uploaded */
  resourceGet(name: string): Promise<string>;
}

/** A hook tool exited non-zero; stderr is Juju's `ERROR …` text. */
export class HookToolError extends Error {
  constructor(
    readonly tool: string,
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`${tool} failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = 'HookToolError';
  }
}

/** A hook tool exited 0 but printed something that is not the JSON it documents. The output itself is
 * left out of the message: it may hold secret content. */
export class HookToolOutputError extends Error {
  constructor(
    readonly tool: string,
    readonly reason: string,
  ) {
    super(`${tool} printed unexpected output: ${reason}`);
    this.name = 'HookToolOutputError';
  }
}
