// Reads the cos-agent relation (interface cos_agent): which relations have a collector unit in them.
// The collector sends nothing this charm uses; a relation being broken, or left by all its units, counts as gone.
import type { JujuEvent } from '../juju/context';
import type { HookTools } from '../juju/hook-tools';
import { COS_AGENT_ENDPOINT, type MetricsRelation } from '../model/metrics';

export async function readMetricsRelation(juju: HookTools, event: JujuEvent): Promise<MetricsRelation> {
  const broken = event.kind === 'hook' && event.name === `${COS_AGENT_ENDPOINT}-relation-broken` ? (event.relation?.id ?? null) : null;
  const ids: string[] = [];
  for (const id of await juju.relationIds(COS_AGENT_ENDPOINT)) {
    if (id !== broken && (await juju.relationList(id)).length > 0) ids.push(id);
  }
  return { ids: ids.sort(), unit: event.unit.unitName };
}
