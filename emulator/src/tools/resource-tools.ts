// resource-get (Juju's worker/uniter/runner/jujuc resource-get): prints the path of the unit's own copy
// of a file resource, `<agent dir>/resources/<name>/<filename from metadata.yaml>`, refreshed from the
// model's copy (the controller's) when its revision changed. No resource attached: Juju's download error.

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unitPaths } from '../agent/paths';
import { declaredResources } from '../model/resources';
import { runError, usageError } from './errors';
import { checkNoMoreArgs } from './flags';
import type { ToolDef } from './tool';

export const resourceGet: ToolDef = {
  name: 'resource-get',
  usage: '<resource name>',
  purpose: 'get the path to the locally cached resource file',
  flags: [],
  init(parsed) {
    if (parsed.positionals.length === 0) throw usageError('missing required resource name');
    checkNoMoreArgs(parsed.positionals.slice(1));
  },
  run(ctx, { parsed }) {
    const name = parsed.positionals[0] ?? '';
    const app = ctx.application();
    const unit = ctx.unit();
    const paths = unitPaths(ctx.model().machines[unit.machine] ?? failNoMachine(unit.machine), unit.name);
    const attached = app.resources?.[name];
    if (!attached) {
      throw runError(
        `could not download resource: HTTP request failed: Get https://controller:17070/model/${ctx.model().uuid}/units/${paths.tag}/resources/${name}: resource#${app.name}/${name} not found`,
      );
    }
    const filename = declaredResources(app.charm)[name]?.filename ?? name;
    const hostDir = path.join(paths.hostAgentDir, 'resources', name);
    const marker = path.join(hostDir, '.revision');
    if (!existsSync(marker) || readFileSync(marker, 'utf8') !== String(attached.revision)) {
      mkdirSync(hostDir, { recursive: true });
      copyFileSync(attached.file, path.join(hostDir, filename));
      writeFileSync(marker, String(attached.revision));
    }
    return path.join(paths.guestAgentDir, 'resources', name, filename);
  },
};

function failNoMachine(id: string): never {
  throw runError(`machine ${id} not found`);
}
