// A user's lxc client certificate (client.crt/client.key), made the way lxc makes it (EC P-384,
// self-signed, CN user@host) by openssl, which every LXD host has (the lxd deb needs ca-certificates,
// which needs openssl). The key is created 0600 before openssl writes it and moved into place whole.
import { lstat, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from './certificates';
import { ClientConfigError, type LocalUser } from './client-config-store';

export interface CommandResult {
  readonly exitCode: number;
  readonly stderr: string;
}
/** Runs a program with an argv array (never a shell); no secret ever goes through it. */
export type RunCommand = (command: string, args: readonly string[]) => Promise<CommandResult>;

export const runCommand: RunCommand = async (command, args) => {
  const { runProcess } = await import('../host/run-process');
  const result = await runProcess(command, args, { timeoutMs: 60_000 });
  return { exitCode: result.exitCode, stderr: result.started ? result.stderr : `${command}: ${result.reason}` };
};

const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;

async function kind(path: string): Promise<'missing' | 'file' | 'other'> {
  try {
    const st = await lstat(path);
    return st.isFile() ? 'file' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

/** The PEM of <dir>/client.crt, generated with its key when neither exists. `dir` must already be safe. */
export async function ensureClientCertIn(dir: string, user: LocalUser, hostname: string, run: RunCommand = runCommand): Promise<string> {
  const crtPath = join(dir, 'client.crt');
  const keyPath = join(dir, 'client.key');
  const [crt, key] = await Promise.all([kind(crtPath), kind(keyPath)]);
  if (crt === 'file' && key === 'file') {
    const parsed = parseCertificate(await readFile(crtPath, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }));
    if ('error' in parsed) throw new ClientConfigError(user.name, crtPath, `client.crt ${parsed.error}`);
    return parsed.ok.pem;
  }
  // never replace half of a pair, or something that is not a plain file: that is the operator's to fix
  if (crt !== 'missing' || key !== 'missing') throw new ClientConfigError(user.name, dir, `client.crt is ${crt} and client.key is ${key}: expected both files or neither`);
  if (!HOSTNAME.test(hostname)) throw new ClientConfigError(user.name, dir, `host name ${JSON.stringify(hostname)} cannot go in a certificate subject`);

  const work = await mkdtemp(join(dir, '.client-cert-'));
  try {
    const newKey = join(work, 'client.key');
    const newCrt = join(work, 'client.crt');
    const handle = await open(newKey, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    await handle.close();
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-nodes', '-subj', `/CN=${user.name}@${hostname}`, '-days', '3650', '-keyout', newKey, '-out', newCrt];
    const result = await run('openssl', args);
    if (result.exitCode !== 0) throw new ClientConfigError(user.name, dir, `openssl req failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
    const pem = await readFile(newCrt, 'utf8');
    const parsed = parseCertificate(pem);
    if ('error' in parsed) throw new ClientConfigError(user.name, newCrt, `openssl wrote a certificate that ${parsed.error}`);
    for (const [path, mode] of [[newKey, 0o600], [newCrt, 0o644]] as const) {
      const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        await file.chmod(mode);
        await file.chown(user.uid, user.gid);
      } finally {
        await file.close();
      }
    }
    // key first: a crash in between leaves a key without a certificate, which the next run reports
    await rename(newKey, keyPath);
    await rename(newCrt, crtPath);
    return parsed.ok.pem;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
