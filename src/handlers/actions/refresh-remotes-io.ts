// refresh-remotes on a real unit: the migration wiring's own ports. Loaded only when the action runs.
import { unitMigrationPorts } from '../migration';
import { makeRefreshRemotes } from './refresh-remotes';

export const refreshRemotes = makeRefreshRemotes(unitMigrationPorts);
