// Reads the https relation (interface lxd-https): each client's certificate and projects, from its app
// bag when that carries a version (one client for the whole application, as canonical/charm-lxd reads
// it) and from each unit's bag otherwise. Refused data is logged naming the unit and the key.
import type { JujuEvent } from '../juju/context';
import type { Bag, HookTools } from '../juju/hook-tools';
import { HTTPS_ENDPOINT, httpsTrustName, parseClientBag, type HttpsClient, type HttpsRelation } from '../model/https-clients';

export async function readHttpsRelation(juju: HookTools, event: JujuEvent): Promise<HttpsRelation> {
  const ids = await juju.relationIds(HTTPS_ENDPOINT);
  const clients: HttpsClient[] = [];
  const untouched: string[] = [];
  for (const id of ids) {
    // -broken and a relation all of whose units departed list no units: nothing of it is trusted then
    const units = await juju.relationList(id);
    const app = units[0]?.split('/')[0];
    if (app === undefined) continue;
    const appBag = await juju.relationGet(id, app, { app: true });
    const members: Array<[string, Bag]> = (appBag.version ?? '') !== '' ? [[app, appBag]] : [];
    if (members.length === 0) for (const unit of units) members.push([unit, await juju.relationGet(id, unit)]);
    for (const [member, bag] of members) {
      const parsed = parseClientBag(bag);
      if (parsed.kind === 'client') clients.push({ relationId: id, member, name: httpsTrustName(member), cert: parsed.cert, projects: parsed.projects });
      if (parsed.kind !== 'refused') continue;
      untouched.push(httpsTrustName(member));
      await juju.log('WARNING', `refused relation ${id} data from ${member}: key "${parsed.key}" ${parsed.why}; its trust in LXD is left as it is`);
    }
  }
  const recheck = event.kind === 'hook' && event.relation?.endpoint === HTTPS_ENDPOINT;
  return { ids, clients, untouched, recheck };
}
