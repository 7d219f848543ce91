// File resources (contract: Juju's `resources:` in metadata.yaml, `juju attach-resource`, `resource-get`).
// Attaching stores a copy in the model (the controller's copy) under a new revision and, for an
// application with units, queues upgrade-charm then config-changed on each, as Juju does when a
// resource changes. resource-get (tools/resource-tools.ts) hands a unit its own copy. Only `type: file`.

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { getApp } from './operations';
import { enqueueHook } from './queue';
import { ModelError, unitsOfApp } from './topology';
import type { ApplicationRecord, CharmInfo, ModelState } from './types';

export interface ResourceMeta {
  name: string;
  type: string;
  /** the name resource-get gives the unit's copy */
  filename: string;
}

/** The charm's declared resources, from its metadata.yaml. */
export function declaredResources(charm: CharmInfo): Record<string, ResourceMeta> {
  const raw: unknown = YAML.parse(readFileSync(path.join(charm.dir, 'metadata.yaml'), 'utf8'));
  const section = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).resources : undefined;
  const out: Record<string, ResourceMeta> = {};
  if (typeof section !== 'object' || section === null) return out;
  for (const [name, spec] of Object.entries(section as Record<string, unknown>)) {
    const fields = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>) : {};
    const type = typeof fields.type === 'string' ? fields.type : 'file';
    out[name] = { name, type, filename: typeof fields.filename === 'string' ? fields.filename : name };
  }
  return out;
}

/** Stores `file` as the application's resource `name` (a new revision); returns whether hooks were queued. */
export function attachResource(state: ModelState, appName: string, name: string, file: string): boolean {
  const app: ApplicationRecord = getApp(state, appName);
  const meta = declaredResources(app.charm)[name];
  if (!meta) throw new ModelError(`invalid resource name "${name}": charm "${app.charm.meta.name}" declares no such resource`);
  if (meta.type !== 'file') throw new ModelError(`resource "${name}" is of type ${meta.type}: only file resources are supported`);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ModelError(`cannot attach resource "${name}": ${file} is not a file`);
  const revision = (app.resources?.[name]?.revision ?? 0) + 1;
  const dir = path.join(state.dir, 'resources', appName, name);
  mkdirSync(dir, { recursive: true });
  const stored = path.join(dir, String(revision));
  copyFileSync(file, stored);
  app.resources = { ...app.resources, [name]: { file: stored, revision } };
  const units = unitsOfApp(state, appName);
  for (const unit of units) {
    enqueueHook(unit, { name: 'upgrade-charm' });
    enqueueHook(unit, { name: 'config-changed' });
  }
  return units.length > 0;
}
