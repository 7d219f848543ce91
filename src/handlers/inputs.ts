// The read phase every handler that plans shares: config, charm state, the lxd relation, the bind
// address, the OS and the packaging decided from them, read once and in parallel (each is a process
// spawn on a real unit). Converge, show-config, refresh-remotes, install and pause/resume start here;
// the peers' bags are read by the peer wiring itself, scoped to the hook (migration.ts).
import type { Bag, CharmConfigValues } from '../juju/hook-tools';
import { readBinding, type Binding } from '../juju/bind-address';
import type { OsRelease } from '../host/host';
import { readCharmState, type CharmState } from '../model/charm-state';
import { parseConfig, type ConfigResult } from '../model/config';
import { chooseSource, type LxdPackaging } from '../model/software';
import { readLxdRelation, type LxdRelation } from './lxd-relation';
import { readMetricsRelation } from './metrics-relation';
import type { MetricsRelation } from '../model/metrics';
import type { Services } from './services';

export interface Inputs {
  /** config-get as Juju gave it (the quick-check digest is taken over these) */
  readonly values: CharmConfigValues;
  readonly config: ConfigResult;
  /** the charm-state bag as the hook started: what stateChanges compares against */
  readonly stateBag: Bag;
  readonly state: CharmState;
  readonly relation: LxdRelation;
  /** the cos-agent relations with a collector in them */
  readonly metrics: MetricsRelation;
  /** network-get lxd-migration: its address, or why Juju could not say */
  readonly binding: Binding;
  /** the binding's address; null without one (or while the binding is unknown) */
  readonly address: string | null;
  readonly os: OsRelease;
  /** from config install-source and the OS; null while the config is broken (then see lxdPackaging) */
  readonly packaging: LxdPackaging | null;
}

export async function readInputs(s: Services): Promise<Inputs> {
  const [values, stateBag, relation, binding, os, metrics] = await Promise.all([s.juju.configGet(), s.juju.stateGet(), readLxdRelation(s.juju), readBinding(s.juju), s.host.osRelease(), readMetricsRelation(s.juju, s.event)]);
  const address = binding.known ? binding.address : null;
  const config = parseConfig(values);
  const packaging = config.ok ? chooseSource(config.config.install.source, os.id) : null;
  return { values, config, stateBag, state: readCharmState(stateBag), relation, metrics, binding, address, os, packaging };
}

/** The packaging, also with a broken config: then what is installed (bad input reads no host until a handler needs it). */
export async function lxdPackaging(inputs: Inputs, s: Services): Promise<LxdPackaging> {
  return inputs.packaging ?? ((await s.host.snapChannel('lxd')) !== null ? 'snap' : 'distro');
}
