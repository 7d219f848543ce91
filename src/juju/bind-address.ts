// The address Juju binds the lxd-migration endpoint to: where LXD's HTTPS API listens and what peers
// dial. Apart from converge so that the hook entry point can read it without loading the charm.
import { HookToolError, type HookTools } from './hook-tools';

export const MIGRATION_BINDING = 'lxd-migration';

/** network-get lxd-migration's bound address; null without binding info (older Juju, or none yet). */
export async function bindAddress(juju: Pick<HookTools, 'networkGet'>): Promise<string | null> {
  try {
    const info = await juju.networkGet(MIGRATION_BINDING);
    return info.bindAddresses[0]?.addresses[0]?.value ?? info.ingressAddresses[0] ?? null;
  } catch (err) {
    // only Juju's "no binding" answer means listen on all addresses; a failed call (the agent's
    // connection dropped) must fail the hook, not re-point the listener
    if (err instanceof HookToolError && err.stderr.includes('no network config found')) return null;
    throw err;
  }
}
