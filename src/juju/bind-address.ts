// The address Juju binds the lxd-migration endpoint to: where LXD's HTTPS API listens and what peers
// dial. Apart from converge so that the hook entry point can read it without loading the charm.
import { HookToolError, HookToolOutputError, type HookTools } from './hook-tools';

export const MIGRATION_BINDING = 'lxd-migration';

/**
 * network-get lxd-migration's bound address; null when Juju answers with no address for the binding.
 * A failed network-get throws its HookToolError: an address nobody knows is never guessed.
 */
export async function bindAddress(juju: Pick<HookTools, 'networkGet'>): Promise<string | null> {
  const info = await juju.networkGet(MIGRATION_BINDING);
  return info.bindAddresses[0]?.addresses[0]?.value ?? info.ingressAddresses[0] ?? null;
}

/** What converge knows of the binding: its address, or why network-get could not say. */
export type Binding = { readonly known: true; readonly address: string } | { readonly known: false; readonly problem: string };

/**
 * bindAddress for converge: network-get's own failure, or an answer with no address, becomes a problem
 * to report (the listener is not moved to all addresses in its place); anything else is thrown.
 */
export async function readBinding(juju: Pick<HookTools, 'networkGet'>): Promise<Binding> {
  try {
    const address = await bindAddress(juju);
    if (address === null) return { known: false, problem: `network-get ${MIGRATION_BINDING} gave no address for the binding: LXD's HTTPS listener is left as it is and peers are not wired` };
    return { known: true, address };
  } catch (err) {
    if (!((err instanceof HookToolError || err instanceof HookToolOutputError) && err.tool === 'network-get')) throw err;
    return { known: false, problem: `cannot learn the ${MIGRATION_BINDING} binding's address (${err.message.replace(/\s+/g, ' ').trim()}): LXD's HTTPS listener is left as it is and peers are not wired` };
  }
}
