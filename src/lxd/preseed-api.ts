// The REST calls lxd-preseed needs, for any of the collections a preseed names (storage pools,
// networks, projects, profiles): one object by name, create it, PATCH some of its keys. Part of
// LxdApi (lxd-api.ts); socket-client.ts implements it with PreseedRequests below.
import type { LxdConfig, LxdDevice } from './lxd-api';
import type { PreseedKind } from '../model/lxd-preseed';

export interface PreseedObjectState {
  readonly config: LxdConfig;
  readonly devices: Readonly<Record<string, LxdDevice>>;
  /** a pool's driver, a network's type ("" where the kind has none) */
  readonly driver: string;
}

export interface NewPreseedObject {
  readonly name: string;
  readonly config: LxdConfig;
  readonly devices?: Readonly<Record<string, LxdDevice>>;
  readonly [field: string]: unknown;
}

export interface LxdPreseedApi {
  /** GET /1.0/<kind>/<name>; null when LXD has none */
  preseedObject(kind: PreseedKind, name: string): Promise<PreseedObjectState | null>;
  /** POST /1.0/<kind> */
  createPreseedObject(kind: PreseedKind, object: NewPreseedObject): Promise<void>;
  /** PATCH /1.0/<kind>/<name>: LXD merges config keys and devices by name */
  patchPreseedObject(kind: PreseedKind, name: string, patch: { readonly config: LxdConfig; readonly devices?: Readonly<Record<string, LxdDevice>> }): Promise<void>;
}
