// Builds the JujuState a hook test starts from: `aUnit().leader().withConfig({...}).withPeer('lxd/1')`.
// Config starts from config.yaml's defaults and relations must use endpoints metadata.yaml declares:
// build() refuses impossible states (like ops-scenario's consistency checker), listing every problem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { CharmConfigValues, ConfigValue, NetworkInfo, UnitName, WorkloadStatus } from '../../src/juju/hook-tools';
import { appOf, automaticKeys, type JujuState, type MutableBag, type RelationState, type SecretState } from '../fakes/juju-state';

const repoRoot = join(__dirname, '..', '..');

interface CharmFiles {
  readonly options: Readonly<Record<string, { type: string; default?: unknown }>>;
  readonly endpoints: Readonly<Record<string, 'peer' | 'provides' | 'requires'>>;
}

let charmFiles: CharmFiles | undefined;
/** config.yaml and metadata.yaml of this charm, read once per test file */
function readCharmFiles(): CharmFiles {
  if (charmFiles) return charmFiles;
  const config = YAML.parse(readFileSync(join(repoRoot, 'config.yaml'), 'utf8')) as { options?: CharmFiles['options'] } | null;
  const meta = YAML.parse(readFileSync(join(repoRoot, 'metadata.yaml'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
  const endpoints: Record<string, 'peer' | 'provides' | 'requires'> = {};
  for (const role of ['provides', 'requires'] as const) for (const name of Object.keys(meta[role] ?? {})) endpoints[name] = role;
  for (const name of Object.keys(meta.peers ?? {})) endpoints[name] = 'peer';
  charmFiles = { options: config?.options ?? {}, endpoints };
  return charmFiles;
}

/** config.yaml's defaults, as config-get (without --all) prints them: options without a default are absent. */
export function defaultConfig(): CharmConfigValues {
  const out: Record<string, ConfigValue> = {};
  for (const [name, option] of Object.entries(readCharmFiles().options)) {
    const value = option.default;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[name] = value;
  }
  return out;
}

/** The first peer endpoint metadata.yaml declares. */
export function peerEndpoint(): string {
  const found = Object.entries(readCharmFiles().endpoints).find(([, role]) => role === 'peer');
  if (!found) throw new Error('metadata.yaml declares no peer relation');
  return found[0];
}

export const networkAt = (address: string, interfaceName = 'eth0'): NetworkInfo => ({
  bindAddresses: [{ interfaceName, addresses: [{ value: address, cidr: `${address.split('.').slice(0, 3).join('.')}.0/24` }] }],
  ingressAddresses: [address],
  egressSubnets: [`${address}/32`],
});

export interface RelationSpec {
  readonly remoteApp: string;
  /** remote unit → its bag (Juju's automatic keys are not added: say what the test needs) */
  readonly units?: Readonly<Record<UnitName, MutableBag>>;
  readonly appData?: MutableBag;
  /** this unit's own bag; default: Juju's automatic keys for this unit's address */
  readonly localUnit?: MutableBag;
  readonly localApp?: MutableBag;
}

export class JujuStateBuilder {
  private readonly state: JujuState;
  private nextRelationId = 0;
  private readonly problems: string[] = [];

  constructor(unit: UnitName) {
    const address = '10.0.0.5';
    this.state = {
      unit,
      leader: false,
      config: defaultConfig(),
      relations: [],
      leaderData: {},
      charmState: {},
      secrets: [],
      unitStatus: { status: 'unknown', message: '' },
      appStatus: { status: 'unknown', message: '' },
      workloadVersion: '',
      openedPorts: [],
      storage: {},
      resources: {},
      addresses: { 'private-address': address, 'public-address': address },
      networks: Object.fromEntries(Object.keys(readCharmFiles().endpoints).map((e) => [e, networkAt(address)])),
      logs: [],
      action: null,
      jujuVersion: '3.6.4',
    };
  }

  /** JUJU_VERSION of the agent: before 3.0.2 Juju has no secrets and no secret-* tools. */
  onJuju(version: string): this {
    this.state.jujuVersion = version;
    return this;
  }

  leader(isLeader = true): this {
    this.state.leader = isLeader;
    return this;
  }

  /** Sets options over config.yaml's defaults; unknown options and wrong types are refused at build(). */
  withConfig(values: Readonly<Record<string, ConfigValue | null>>): this {
    const options = readCharmFiles().options;
    const config: Record<string, ConfigValue> = { ...this.state.config };
    for (const [name, value] of Object.entries(values)) {
      const option = options[name];
      if (!option) this.problems.push(`config option "${name}" is not in config.yaml`);
      else if (value !== null && !sameType(option.type, value)) this.problems.push(`config option "${name}" is ${option.type}, got ${JSON.stringify(value)}`);
      if (value === null) delete config[name];
      else config[name] = value;
    }
    this.state.config = config;
    return this;
  }

  /** Adds another unit of this app to the peer relation (created on first use), with its bag. */
  withPeer(unit: UnitName, bag: MutableBag = automaticKeys('10.0.0.6')): this {
    if (appOf(unit) !== appOf(this.state.unit)) this.problems.push(`peer ${unit} is not a unit of ${appOf(this.state.unit)}`);
    if (unit === this.state.unit) this.problems.push(`a unit is never its own peer (${unit})`);
    this.peerRelation().remoteUnits[unit] = { ...bag };
    return this;
  }

  /** The peer relation exists even with no other unit (Juju creates it at deploy). */
  withPeerRelation(appData: MutableBag = {}): this {
    Object.assign(this.peerRelation().localApp, appData);
    return this;
  }

  withRelation(endpoint: string, spec: RelationSpec): this {
    const role = readCharmFiles().endpoints[endpoint];
    if (role === undefined) this.problems.push(`endpoint "${endpoint}" is not declared in metadata.yaml`);
    if (role === 'peer') this.problems.push(`endpoint "${endpoint}" is a peer relation: use withPeer()`);
    for (const unit of Object.keys(spec.units ?? {})) {
      if (appOf(unit) !== spec.remoteApp) this.problems.push(`unit ${unit} is not a unit of ${spec.remoteApp}`);
    }
    this.state.relations.push({
      id: `${endpoint}:${this.nextRelationId++}`,
      endpoint,
      remoteApp: spec.remoteApp,
      peer: false,
      localUnit: { ...(spec.localUnit ?? automaticKeys(this.state.addresses['private-address'])) },
      localApp: { ...(spec.localApp ?? {}) },
      remoteUnits: Object.fromEntries(Object.entries(spec.units ?? {}).map(([u, bag]) => [u, { ...bag }])),
      remoteAppData: { ...(spec.appData ?? {}) },
    });
    return this;
  }

  withState(bag: MutableBag): this {
    Object.assign(this.state.charmState, bag);
    return this;
  }

  withLeaderData(bag: MutableBag): this {
    Object.assign(this.state.leaderData, bag);
    return this;
  }

  withSecret(secret: SecretState): this {
    this.state.secrets.push(structuredClone(secret));
    return this;
  }

  withStatus(status: WorkloadStatus): this {
    this.state.unitStatus = { ...status };
    return this;
  }

  /** This unit's address: unit-get and every binding's network-get. */
  withAddress(address: string): this {
    this.state.addresses = { 'private-address': address, 'public-address': address };
    for (const binding of Object.keys(this.state.networks)) this.state.networks[binding] = networkAt(address);
    return this;
  }

  /** network-get <binding> fails as it does when Juju has no network info for it. */
  withoutNetwork(binding: string): this {
    delete this.state.networks[binding];
    return this;
  }

  /** Juju storage attached to this unit: storage-list and storage-get see it. */
  withStorage(id: string, location: string, kind: 'block' | 'filesystem' = 'block'): this {
    if (!/^[a-z][a-z0-9-]*\/\d+$/.test(id)) this.problems.push(`storage id "${id}" is not <name>/<number>`);
    this.state.storage[id] = { kind, location };
    return this;
  }

  /** A resource the operator uploaded: resource-get prints `path`. */
  withResource(name: string, path: string): this {
    this.state.resources[name] = path;
    return this;
  }

  /** An action is running, with these parameters (defaults already applied, as Juju does). */
  runningAction(name: string, params: Record<string, unknown> = {}): this {
    this.state.action = { name, params: structuredClone(params), results: {}, failed: null, logs: [] };
    return this;
  }

  build(): JujuState {
    if (this.problems.length > 0) throw new Error(`impossible Juju state:\n- ${this.problems.join('\n- ')}`);
    return structuredClone(this.state);
  }

  private peerRelation(): RelationState {
    const endpoint = peerEndpoint();
    const existing = this.state.relations.find((r) => r.endpoint === endpoint);
    if (existing) return existing;
    const relation: RelationState = {
      id: `${endpoint}:${this.nextRelationId++}`,
      endpoint,
      remoteApp: appOf(this.state.unit),
      peer: true,
      localUnit: automaticKeys(this.state.addresses['private-address']),
      localApp: {},
      remoteUnits: {},
      remoteAppData: {},
    };
    this.state.relations.push(relation);
    return relation;
  }
}

function sameType(type: string, value: ConfigValue): boolean {
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'int') return Number.isInteger(value);
  if (type === 'float') return typeof value === 'number';
  return typeof value === 'string'; // string, secret
}

/** A unit of this charm (default lxd/0), not the leader, default config, no relations. */
export const aUnit = (name: UnitName = 'lxd/0'): JujuStateBuilder => new JujuStateBuilder(name);
