// The read phase every handler that plans shares: config, charm state, the lxd relation, the bind
// address, the OS and the packaging decided from them, read once and in parallel (each is a process
// spawn on a real unit). Converge, show-config, refresh-remotes, install and pause/resume start here;
// the peers' bags are read by the peer wiring itself, scoped to the hook (migration.ts).
import { HookToolError, type Bag, type CharmConfigValues } from '../juju/hook-tools';
import { readBinding, type Binding } from '../juju/bind-address';
import type { OsRelease } from '../host/host';
import { readCharmState, type CharmState } from '../model/charm-state';
import { parseConfig, type ConfigResult } from '../model/config';
import { chooseSource, type LxdPackaging } from '../model/software';
import { readLxdRelation, type LxdRelation } from './lxd-relation';
import { readHttpsRelation } from './https-relation';
import type { HttpsRelation } from '../model/https-clients';
import type { Services } from './services';
import { SNAP_RESOURCE, SQUASHFS_MAGIC, type SnapResource } from '../model/snap-resource';

/** metadata.yaml's storage for the pool (type block, 0-1 instances, as canonical/charm-lxd declares it) */
export const POOL_STORAGE = 'local';

export async function readSnapResource(s: Services): Promise<SnapResource> {
  let path: string;
  try {
    path = await s.juju.resourceGet(SNAP_RESOURCE);
  } catch (err) {
    if (!(err instanceof HookToolError)) throw err;
    return { kind: 'absent', why: err.stderr.trim() };
  }
  const digest = await s.host.fileDigest(path);
  if (digest.sizeBytes === 0) return { kind: 'empty' };
  return { kind: 'file', path, sha256: digest.sha256, sizeBytes: digest.sizeBytes, isSnap: digest.head === SQUASHFS_MAGIC };
}

/** A Juju storage instance attached to this unit: its id ("local/0") and block device. */
export interface AttachedStorage {
  readonly id: string;
  readonly location: string;
}

export interface Inputs {
  /** config-get as Juju gave it (the quick-check digest is taken over these) */
  readonly values: CharmConfigValues;
  readonly config: ConfigResult;
  /** the charm-state bag as the hook started: what stateChanges compares against */
  readonly stateBag: Bag;
  readonly state: CharmState;
  readonly relation: LxdRelation;
  /** the https relation's clients (interface lxd-https) */
  readonly https: HttpsRelation;
  /** network-get lxd-migration: its address, or why Juju could not say */
  readonly binding: Binding;
  /** the binding's address; null without one (or while the binding is unknown) */
  readonly address: string | null;
  readonly os: OsRelease;
  /** from config install-source and the OS; null while the config is broken (then see lxdPackaging) */
  readonly packaging: LxdPackaging | null;
  /** Juju storage `local` attached to this unit, the instance a -storage-detaching hook is about left out */
  readonly storage: readonly AttachedStorage[];
  /** the instance this local-storage-detaching hook is about */
  readonly detaching: AttachedStorage | null;
  /** lxd-snap, read only where LXD is the snap (null elsewhere) */
  readonly snapResource: SnapResource | null;
}

/** storage-list and storage-get for the pool's storage; the detaching instance (this hook's) apart. */
async function readStorage(s: Services): Promise<{ storage: AttachedStorage[]; detaching: AttachedStorage | null }> {
  const event = s.event.kind === 'hook' && s.event.name === `${POOL_STORAGE}-storage-detaching` ? s.event.storage : undefined;
  const ids = await s.juju.storageList(POOL_STORAGE);
  const attached = await Promise.all(ids.map(async (id) => ({ id, location: (await s.juju.storageGet(id)).location })));
  const detaching = event ? (attached.find((a) => a.id === event.id) ?? { id: event.id, location: event.location }) : null;
  return { storage: attached.filter((a) => a.id !== detaching?.id), detaching };
}

export async function readInputs(s: Services): Promise<Inputs> {
  const [values, stateBag, relation, binding, os, https, { storage, detaching }] = await Promise.all([s.juju.configGet(), s.juju.stateGet(), readLxdRelation(s.juju), readBinding(s.juju), s.host.osRelease(), readHttpsRelation(s.juju, s.event), readStorage(s)]);
  const address = binding.known ? binding.address : null;
  const config = parseConfig(values);
  const packaging = config.ok ? chooseSource(config.config.install.source, os.id) : null;
  const snapResource = packaging === 'snap' ? await readSnapResource(s) : null;
  return { values, config, stateBag, state: readCharmState(stateBag), relation, https, binding, address, os, packaging, storage, detaching, snapResource };
}

/** The packaging, also with a broken config: then what is installed (bad input reads no host until a handler needs it). */
export async function lxdPackaging(inputs: Inputs, s: Services): Promise<LxdPackaging> {
  return inputs.packaging ?? ((await s.host.snapChannel('lxd')) !== null ? 'snap' : 'distro');
}
