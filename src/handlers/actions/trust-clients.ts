// Trust-management actions, named and parameterised as Canonical's LXD charm names them:
// add-trusted-client, remove-trusted-client, list-trusted-clients, get-client-token.
import { parseCertificate } from '../../lxd/certificates';
import { EXTENSION_CERTIFICATE_TOKEN, LxdApiError } from '../../lxd/lxd-api';
import { ActionRefused, NOT_LISTENING, askNextHookToRecheck, defineAction } from './action';
import { colonForm, normalizeFingerprint } from './fingerprint';
import { checkEntryName, managedPrefix, parseProjects } from './trust-admin';

/** How to pass a PEM file so that it arrives intact on real Juju (which parses each key=value as YAML). */
export const CERT_USAGE = 'pass exactly one PEM certificate (never a key), e.g. juju run lxd/0 add-trusted-client --string-args cert="$(cat client.crt)", or put cert: | and the PEM in a file and pass --params file.yaml';

const FOLDED_PEM = /^-----BEGIN CERTIFICATE----- +([A-Za-z0-9+/=]+(?: +[A-Za-z0-9+/=]+)*) +-----END CERTIFICATE-----$/;

/**
 * `juju run … cert="$(cat client.crt)"` without --string-args: Juju parses the value as YAML, which folds
 * the PEM's line breaks into single spaces. Base64 has no spaces, so the lines are recovered exactly;
 * anything else is left as it is for the certificate parser to refuse.
 */
export function unfoldPem(text: string): string {
  const folded = FOLDED_PEM.exec(text.trim());
  if (!folded || text.includes('\n')) return text;
  return `-----BEGIN CERTIFICATE-----\n${(folded[1] ?? '').split(/ +/).join('\n')}\n-----END CERTIFICATE-----\n`;
}

export const addTrustedClient = defineAction<{ cert: string; name?: string; projects?: string }>('add-trusted-client', async (params, s) => {
  const parsed = parseCertificate(unfoldPem(params.cert));
  if ('error' in parsed) throw new ActionRefused(`cert ${parsed.error}: ${CERT_USAGE}`);
  const { fingerprint, derBase64 } = parsed.ok;
  const name = checkEntryName(params.name ?? `client-${fingerprint.slice(0, 12)}`, s);
  const projects = parseProjects(params.projects);
  const outcome = await s.lxd.addTrustEntry({ name, derBase64, projects });
  return {
    fingerprint,
    name,
    projects: projects.join(',') || 'unrestricted',
    result: outcome === 'added' ? 'added' : 'already trusted: nothing changed',
  };
});

export const removeTrustedClient = defineAction<{ fingerprint: string; force?: boolean }>('remove-trusted-client', async (params, s) => {
  const fingerprint = normalizeFingerprint(params.fingerprint);
  if (!fingerprint) {
    throw new ActionRefused('fingerprint is not a SHA-256 fingerprint: give the 64 hex digits (colons allowed) or the output of `openssl x509 -noout -fingerprint -sha256 -in client.crt`');
  }
  const admin = s.lxd;
  const entry = (await admin.trustEntries()).find((e) => e.fingerprint === fingerprint);
  if (!entry) throw new ActionRefused(`no trusted certificate has fingerprint ${colonForm(fingerprint)}; list-trusted-clients shows them`);
  const managed = entry.name.startsWith(managedPrefix(s));
  if (managed && params.force !== true) {
    throw new ActionRefused(`${entry.name} is managed by the charm for an lxd-migration peer (migrations to this host need it, and the next hook adds it back); pass force=true to remove it anyway`);
  }
  await admin.removeTrustEntry(fingerprint);
  return { fingerprint, name: entry.name, result: managed ? 'removed (charm-managed: the next hook re-adds it while the peer stays)' : 'removed' };
});

export const listTrustedClients = defineAction<Record<string, never>>('list-trusted-clients', async (_params, s) => {
  const prefix = managedPrefix(s);
  const entries = (await s.lxd.trustEntries()).sort((a, b) => a.name.localeCompare(b.name) || a.fingerprint.localeCompare(b.fingerprint));
  const clients: Record<string, Record<string, string>> = {};
  entries.forEach((e, i) => {
    clients[String(i)] = {
      name: e.name,
      fingerprint: e.fingerprint,
      type: e.type,
      restrictions: e.restricted ? `projects: ${e.projects.join(',') || '(none)'}` : 'unrestricted',
      'managed-by-charm': String(e.name.startsWith(prefix)),
    };
  });
  return { count: String(entries.length), ...(entries.length > 0 ? { clients } : {}) };
});

export const getClientToken = defineAction<{ name?: string; projects?: string }>('get-client-token', async (params, s) => {
  const server = await s.lxd.server();
  if (!server.apiExtensions.includes(EXTENSION_CERTIFICATE_TOKEN)) {
    throw new ActionRefused(`LXD ${server.serverVersion} has no certificate tokens (API extension ${EXTENSION_CERTIFICATE_TOKEN}, LXD 4.23+): use add-trusted-client with the client's certificate instead`);
  }
  if (server.addresses.length === 0) {
    await askNextHookToRecheck(s, NOT_LISTENING);
    throw new ActionRefused('LXD is not listening on the network, so a token could not be redeemed: the next hook restores the listener the charm config asks for (show-config says which)');
  }
  const name = checkEntryName(params.name ?? `client-${s.now().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`, s);
  const projects = parseProjects(params.projects);
  try {
    const issued = await s.lxd.issueCertificateToken({ name, projects });
    // the token is the result (its purpose); it goes nowhere else: no juju-log, no action-log
    return {
      token: issued.token,
      name,
      projects: projects.join(',') || 'unrestricted',
      'expires-at': issued.expiresAt || 'never (single use)',
      'operation-id': issued.operationId,
      usage: `lxc remote add <remote-name> <token>  (revoke unused: lxc operation delete ${issued.operationId})`,
    };
  } catch (err) {
    if (err instanceof LxdApiError && /isn't listening on network/i.test(err.lxdMessage)) {
      await askNextHookToRecheck(s, NOT_LISTENING);
      throw new ActionRefused('LXD is not listening on the network, so a token could not be redeemed: check the charm config (https-port) and show-config');
    }
    throw err;
  }
});
