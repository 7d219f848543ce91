// The Juju-visible world of one unit, as plain data (ops-scenario's State): tests build it with
// test/builders/juju-state.ts, hand it to FakeJuju, fire an event, and read the state out.
import type { AppName, CharmConfigValues, NetworkInfo, RelationId, SecretContent, UnitName, WorkloadStatus } from '../../src/juju/hook-tools';

export type MutableBag = Record<string, string>;

export interface RelationState {
  /** `endpoint:number`, as relation-ids prints it */
  id: RelationId;
  endpoint: string;
  remoteApp: AppName;
  peer: boolean;
  /** this unit's bag */
  localUnit: MutableBag;
  /** this application's bag */
  localApp: MutableBag;
  /** the remote units now in the relation (for a peer relation: the other units of this app) */
  remoteUnits: Record<UnitName, MutableBag>;
  /** the remote application's bag (for a peer relation: unused, the app bag is localApp) */
  remoteAppData: MutableBag;
}

export interface SecretState {
  id: string;
  /** unit/application: owned by this unit or its app; remote: another app's secret this unit may be granted */
  owner: 'unit' | 'application' | 'remote';
  label?: string;
  description?: string;
  /** content of each revision, oldest first */
  revisions: SecretContent[];
  grants: Array<{ relationId: RelationId; unit?: UnitName }>;
  /** remote secrets only: whether this unit may read it */
  granted?: boolean;
}

export interface LogEntry {
  level: string;
  message: string;
}

export interface ActionState {
  name: string;
  params: Record<string, unknown>;
  /** flattened dotted keys, as Juju stores them */
  results: Record<string, string>;
  /** the action-fail message, null while not failed */
  failed: string | null;
  logs: string[];
}

export interface JujuState {
  unit: UnitName;
  leader: boolean;
  config: CharmConfigValues;
  relations: RelationState[];
  leaderData: MutableBag;
  charmState: MutableBag;
  secrets: SecretState[];
  unitStatus: WorkloadStatus;
  appStatus: WorkloadStatus;
  workloadVersion: string;
  openedPorts: string[];
  addresses: { 'private-address': string; 'public-address': string };
  /** binding → what network-get reports; bindings not listed have no network info */
  networks: Record<string, NetworkInfo>;
  logs: LogEntry[];
  /** set while an action runs */
  action: ActionState | null;
  /** attached storage instances ("local/0") → what storage-get reports */
  storage: Record<string, { kind: 'block' | 'filesystem'; location: string }>;
  /** uploaded resources → the path resource-get prints; a resource not listed was never uploaded */
  resources: Record<string, string>;
  /** JUJU_VERSION: it decides whether the secret-* tools exist (src/juju/secrets-support.ts) */
  jujuVersion: string;
}

export const appOf = (unit: UnitName): AppName => unit.slice(0, unit.indexOf('/'));

/** Juju's automatic keys in each unit bag when it enters a relation. */
export const automaticKeys = (address: string): MutableBag => ({
  'egress-subnets': `${address}/32`,
  'ingress-address': address,
  'private-address': address,
});
