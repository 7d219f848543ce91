// The model as plain, JSON-serialisable data: what a Juju controller knows.
// The CLI persists it as state.json between commands; the typed API keeps it in memory.
// Nothing here knows about any particular charm.

export type Bag = Record<string, string>;
export type ConfigValue = string | number | boolean;

export type WorkloadStatusName = 'active' | 'blocked' | 'maintenance' | 'waiting' | 'unknown' | 'error' | 'terminated';
export interface WorkloadStatus {
  status: WorkloadStatusName;
  message: string;
  since: string; // ISO time
}

export type AgentStatusName = 'allocating' | 'idle' | 'executing' | 'error' | 'lost';
export interface AgentStatus {
  status: AgentStatusName;
  message: string;
  since: string;
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
export interface LogLine {
  time: string;
  unit: string;
  level: LogLevel;
  /** logger name, e.g. `unit.lxd/0.juju-log` or `unit.lxd/0.install` (hook stdout/stderr) */
  logger: string;
  message: string;
}

// ---- charm metadata, as read from metadata.yaml / config.yaml / actions.yaml ----

export type EndpointRole = 'provider' | 'requirer' | 'peer';
export interface EndpointMeta {
  name: string;
  role: EndpointRole;
  interface: string;
  scope: 'global' | 'container';
  limit?: number;
  optional?: boolean;
}

export interface CharmMeta {
  name: string;
  summary: string;
  description: string;
  subordinate: boolean;
  endpoints: Record<string, EndpointMeta>; // provides, requires and peers, by endpoint name
  /** metadata.yaml `storage:` by name (absent in records saved before storage existed) */
  storage?: Record<string, StorageMeta>;
}

export interface StorageMeta {
  type: 'block' | 'filesystem';
  /** multiple.range, default exactly 1 */
  min: number;
  max: number | null;
  location?: string;
}


/** One Juju storage instance ("local/0"): a loop device on its unit's machine. */
export interface StorageRecord {
  id: string;
  name: string;
  unit: string;
  kind: 'block';
  /** the loop device inside the machine (the same path on the host) */
  location: string;
  /** the sparse backing file on the host */
  file: string;
  sizeBytes: number;
  /** attaching: its -storage-attached has not run yet; detaching: it is going (after its -storage-detaching hook) */
  life: 'attaching' | 'attached' | 'detaching' | 'detached';
}


export type ConfigOptionType = 'string' | 'int' | 'float' | 'boolean' | 'secret';
export interface ConfigOptionMeta {
  type: ConfigOptionType;
  default?: ConfigValue | null;
  description?: string;
}

export interface ActionMeta {
  description?: string;
  /** JSON-schema properties of the parameters */
  params: Record<string, unknown>;
  required: string[];
  /** false unless actions.yaml says otherwise (Juju's default); a map is a schema the other keys must match */
  additionalProperties: boolean | Record<string, unknown>;
  /** Juju 3 scheduling hints: a `parallel` action with no execution group runs without the machine lock */
  parallel?: boolean;
  executionGroup?: string;
}

export interface CharmInfo {
  /** Unpacked charm directory on the emulator host: the source copied into each unit's agent dir. */
  dir: string;
  /** Where it came from: a directory or a .charm path, for display. */
  source: string;
  revision: number;
  meta: CharmMeta;
  config: Record<string, ConfigOptionMeta>;
  actions: Record<string, ActionMeta>;
}

// ---- machines ----

export interface LoopDeviceRecord {
  file: string; // sparse backing file on the host
  device: string; // /dev/loopN
  sizeBytes: number;
}

export interface MachineRecord {
  id: string; // "0", "1", …
  /** which MachineBackend made it: 'namespace' (real netns + LXD) or 'local' (plain host processes, for fast tests) */
  backend: 'namespace' | 'local';
  hostname: string;
  address: string; // IPv4 on the model bridge (127.0.0.1 for local machines)
  cidr: string; // e.g. 10.213.0.0/24
  /** guest path → host path: directories private to this machine (e.g. "/var/lib/juju" → "<modelDir>/machines/0/var-lib-juju") */
  mounts: Record<string, string>;
  /** backend-specific handles (netns name, namespace files, daemon pids) */
  handles: Record<string, string | number>;
  loopDevices: LoopDeviceRecord[];
  lxdPid: number | null;
  /** how the machine's LXD is packaged: Debian's deb (default) or snap-shaped (see machines/snap-flavour.ts) */
  lxdPackaging?: 'deb' | 'snap';
}

// ---- applications, units, relations ----

export interface ApplicationRecord {
  name: string;
  charm: CharmInfo;
  /** values explicitly set by the operator (defaults come from charm.config) */
  config: Record<string, ConfigValue>;
  leader: string | null; // unit name
  leaderSettings: Bag;
  status: WorkloadStatus | null; // application status set by the leader (status-set --application)
  nextUnitNumber: number;
  /** `deploy --storage local=loop,1G`: what each new unit gets, by storage name */
  storageDirectives?: Record<string, { count: number; sizeBytes: number }>;
  /** options for new units: how many loop devices etc. — passed to the machine backend */
  machineOptions: {
    loopDevices: number;
    loopSizeGiB: number;
    lxd: boolean;
    /** deb (default) or snap-shaped machines */
    lxdPackaging?: 'deb' | 'snap';
    /** snap-shaped machines: the snapd version the `snap` shim reports and behaves as (default 2.63) */
    snapdVersion?: string;
    /** namespace machines: their Node.js and what their apt archive offers (machines/node-shape.ts) */
    nodejs?: { installed: string; archive: string };
  };
  /** file resources the operator attached (model/resources.ts), by resource name */
  resources?: Record<string, AttachedResource>;
}

/** One uploaded file resource: the model's copy (as the controller keeps it) and its revision. */
export interface AttachedResource {
  file: string;
  revision: number;
}

/** One queued operation for a unit agent. */
export type HookEvent =
  | {
      kind: 'hook';
      name: string; // full hook name: "install", "lxd-migration-relation-changed", …
      relationId?: number;
      remoteUnit?: string; // "" for created/broken/app-bag change
      remoteApp?: string;
      departingUnit?: string;
      /** a failed hook re-queued by `resolve`: runs before other queued hooks */
      retry?: boolean;
      /** secret hooks: JUJU_SECRET_ID / JUJU_SECRET_REVISION / JUJU_SECRET_LABEL */
      secretId?: string;
      secretRevision?: number;
      secretLabel?: string;
      /** storage hooks: JUJU_STORAGE_ID */
      storageId?: string;
    }
  | { kind: 'action'; actionId: number };

export interface PortRange {
  from: number;
  to: number;
  protocol: 'tcp' | 'udp' | 'icmp';
}

export interface UnitRecord {
  name: string; // "lxd/0"
  app: string;
  machine: string;
  principal: string | null; // for subordinates: the principal unit's name
  workloadStatus: WorkloadStatus;
  agentStatus: AgentStatus;
  workloadVersion: string;
  /** charm state (state-set / state-get), committed on hook success */
  state: Bag;
  ports: PortRange[];
  /** the hook that failed, re-run by `resolve` */
  erroredEvent: HookEvent | null;
  queue: HookEvent[];
  /** lifecycle: install run? start run? being removed? */
  life: 'installing' | 'alive' | 'dying' | 'dead';
  /** whether the charm ever called status-set (Juju shows "unknown" after start otherwise) */
  statusEverSet: boolean;
  charmRevision: number; // the revision this unit runs (upgrade-charm moves it)
  /** the app's storage directives were provisioned for this unit (its loop devices made, -storage-attached queued) */
  storageProvisioned?: boolean;
  /** the workload status the charm had set before a hook failed (shown again after `resolve`) */
  statusBeforeError?: WorkloadStatus | null;
}

export interface RelationEndpointRef {
  app: string;
  endpoint: string;
  role: EndpointRole;
}

export interface RelationRecord {
  id: number;
  /** "lxd:lxd nova-compute:lxd" or "lxd:lxd-migration" for peers: Juju's relation key */
  key: string;
  interface: string;
  scope: 'global' | 'container';
  endpoints: RelationEndpointRef[]; // one entry for peers, two otherwise
  /** per application name */
  appBags: Record<string, Bag>;
  /** per unit name; kept after a unit departs (readable for the relation's lifetime) */
  unitBags: Record<string, Bag>;
  /** per observing unit: the remote units it has joined (and not departed), in join order */
  joined: Record<string, string[]>;
  /** units that have run -relation-created */
  created: string[];
  /** per observing unit, per remote (unit or app) bag: the bag version last seen, to coalesce -changed */
  seenVersions: Record<string, Record<string, number>>;
  /** per bag owner (unit or app name): bumped on every committed real change */
  bagVersions: Record<string, number>;
  /** units in the relation's scope (after -created and start): pairs of them are joined to each other */
  inScope?: string[];
  life: 'alive' | 'dying';
}

export interface SecretRevision {
  revision: number;
  content: Bag;
  createdAt: string;
}

export interface SecretRecord {
  id: string; // "secret:<20 chars>"
  owner: { kind: 'unit' | 'application'; name: string };
  label: string | null;
  description: string | null;
  expire: string | null;
  rotate: string | null;
  revisions: SecretRevision[];
  /** access granted over a relation, to a whole app or one unit */
  grants: Array<{ relationId: number; target: string; scope: 'application' | 'unit' }>;
  /** per consumer entity (unit name): the revision it is pinned to and its own label */
  consumers: Record<string, { revision: number; label: string | null }>;
}

export interface ActionRecord {
  id: number;
  unit: string;
  name: string;
  params: Record<string, unknown>;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'aborted';
  message: string;
  results: Record<string, unknown>;
  log: Array<{ time: string; message: string }>;
  enqueuedAt: string;
  completedAt: string | null;
}

export interface ModelState {
  name: string;
  uuid: string;
  /** the machine backend the model was made with (so `Model.open` picks it before any machine exists) */
  backend?: MachineRecord['backend'];
  /** directory that holds state.json, logs, machine dirs and unpacked charms */
  dir: string;
  machines: Record<string, MachineRecord>;
  applications: Record<string, ApplicationRecord>;
  units: Record<string, UnitRecord>;
  relations: Record<string, RelationRecord>; // keyed by String(id)
  secrets: Record<string, SecretRecord>;
  actions: Record<string, ActionRecord>; // keyed by String(id)
  /** Juju storage instances by id ("local/0") */
  storage?: Record<string, StorageRecord>;
  counters: { machine: number; relation: number; action: number; storage?: number };
}
