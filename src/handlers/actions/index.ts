// The operator actions beyond show-config, by their actions.yaml names.
import type { Handler } from '../services';
import { rotateTrustPassword } from './rotate-trust-password';
import { addTrustedClient, getClientToken, listTrustedClients, removeTrustedClient } from './trust-clients';

export const operatorActions: Readonly<Record<string, Handler>> = {
  'add-trusted-client': addTrustedClient,
  'remove-trusted-client': removeTrustedClient,
  'list-trusted-clients': listTrustedClients,
  'get-client-token': getClientToken,
  'rotate-trust-password': rotateTrustPassword,
  // loaded only when they run: other hooks never parse them (or yaml)
  'list-remotes': async (s) => (await import('./list-remotes')).listRemotes(s),
  'refresh-remotes': async (s) => (await import('./refresh-remotes')).refreshRemotes(s),
  'migrate-container': async (s) => (await import('./migrate-container')).migrateContainer(s),
  pause: async (s) => (await import('./pause-resume')).pause(s),
  resume: async (s) => (await import('./pause-resume')).resume(s),
};
