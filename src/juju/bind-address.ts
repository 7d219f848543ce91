// The address Juju binds the lxd-migration endpoint to: where LXD's HTTPS API listens and what peers
// dial. Apart from converge so that the hook entry point can read it without loading the charm.
import type { HookTools } from './hook-tools';

export const MIGRATION_BINDING = 'lxd-migration';

/** network-get lxd-migration's bound address; null without binding info (older Juju, or none yet). */
export async function bindAddress(juju: Pick<HookTools, 'networkGet'>): Promise<string | null> {
  try {
    const info = await juju.networkGet(MIGRATION_BINDING);
    return info.bindAddresses[0]?.addresses[0]?.value ?? info.ingressAddresses[0] ?? null;
  } catch {
    return null; // then LXD listens on all addresses
  }
}
