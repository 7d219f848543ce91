// ClientConfigStore over real files under a root prefix ("/" on a unit, a temp dir in tests). Every
// directory below the user's home is checked (no symlinks, owned by the user or root) and every file is
// written as a temp file owned and moded as it must end up, then renamed: a user cannot steer root's
// writes through a planted symlink, and lxc never reads half a file.
import { lstat, mkdir, chown, open, readFile, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureClientCertIn, runCommand, type RunCommand } from './client-cert';
import { ClientConfigError, type ClientConfigStore, type LocalUser, type ObservedRemote, type RemoteSpec, type UserClientConfig } from './client-config-store';
import type { LxdPackaging } from '../model/software';

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface FsClientConfigOptions {
  /** prefix of every path: "/" on a unit */
  readonly root: string;
  readonly packaging: LxdPackaging;
  readonly run?: RunCommand;
}

export class FsClientConfigStore implements ClientConfigStore {
  private readonly run: RunCommand;

  constructor(private readonly options: FsClientConfigOptions) {
    this.run = options.run ?? runCommand;
  }

  private async text(): Promise<typeof import('./client-config')> {
    return import('./client-config'); // yaml loads only in hooks that touch client files
  }

  private async dirOf(user: LocalUser): Promise<string> {
    const { configDirOf } = await this.text();
    return join(this.options.root, configDirOf(user.home, this.options.packaging));
  }

  /** Creates (0700, owned by the user) or checks each directory from the home down to `dir`. */
  private async ensureDir(user: LocalUser, dir: string): Promise<void> {
    const home = join(this.options.root, user.home);
    const homeStat = await lstat(home).catch(() => null);
    if (!homeStat?.isDirectory()) throw new ClientConfigError(user.name, home, 'home directory does not exist (or is a symlink)');
    let path = home;
    for (const part of dir.slice(home.length).split('/').filter(Boolean)) {
      path = join(path, part);
      const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      if (!st) {
        await mkdir(path, { mode: 0o700 });
        await chown(path, user.uid, user.gid);
      } else if (st.isSymbolicLink() || !st.isDirectory()) {
        throw new ClientConfigError(user.name, path, 'is a symlink or not a directory: refusing to write through it');
      } else if (st.uid !== user.uid && st.uid !== 0) {
        throw new ClientConfigError(user.name, path, `is owned by uid ${st.uid}, not ${user.name} or root`);
      }
    }
  }

  private async readText(user: LocalUser, path: string): Promise<string | null> {
    try {
      return await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      if (code === 'ELOOP') throw new ClientConfigError(user.name, path, 'is a symlink: refusing to read it');
      throw err;
    }
  }

  private async writeAtomic(user: LocalUser, path: string, content: string, mode: number): Promise<void> {
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      await file.writeFile(content);
      await file.chmod(mode); // the umask may have narrowed it
      await file.chown(user.uid, user.gid);
      await file.sync();
    } catch (err) {
      await file.close();
      await rm(temp, { force: true });
      throw err;
    }
    await file.close();
    await rename(temp, path);
  }

  private checkName(user: LocalUser, name: string): void {
    if (!REMOTE_NAME.test(name)) throw new ClientConfigError(user.name, name, 'is not a remote name the charm writes');
  }

  async read(user: LocalUser): Promise<UserClientConfig> {
    const dir = await this.dirOf(user);
    const { remotesIn, parseMarker, MARKER_FILE } = await this.text();
    const [config, marker] = await Promise.all([this.readText(user, join(dir, 'config.yml')), this.readText(user, join(dir, MARKER_FILE))]);
    let remotes: Map<string, string>;
    try {
      remotes = remotesIn(config);
    } catch (err) {
      throw new ClientConfigError(user.name, join(dir, 'config.yml'), err instanceof Error ? err.message : String(err));
    }
    const owned = parseMarker(marker);
    const managed = new Map<string, ObservedRemote & { readonly peer: string }>();
    const foreign = new Set<string>();
    for (const [name, url] of remotes) {
      const peer = owned[name];
      if (peer === undefined || !REMOTE_NAME.test(name)) {
        foreign.add(name);
        continue;
      }
      managed.set(name, { name, url, peer, pinnedCert: await this.readText(user, join(dir, 'servercerts', `${name}.crt`)) });
    }
    return { managed, foreign };
  }

  async writeRemote(user: LocalUser, remote: RemoteSpec): Promise<void> {
    this.checkName(user, remote.name);
    const dir = await this.dirOf(user);
    const { withRemote, remotesIn, parseMarker, markerText, MARKER_FILE } = await this.text();
    await this.ensureDir(user, join(dir, 'servercerts'));
    const configPath = join(dir, 'config.yml');
    const config = await this.readText(user, configPath);
    const owned = parseMarker(await this.readText(user, join(dir, MARKER_FILE)));
    if (remotesIn(config).has(remote.name) && owned[remote.name] === undefined) {
      throw new ClientConfigError(user.name, configPath, `remote ${remote.name} exists and is not the charm's: left alone`);
    }
    // marker first: a crash before config.yml is written leaves a marker entry that read() ignores
    if (owned[remote.name] !== remote.peer) await this.writeAtomic(user, join(dir, MARKER_FILE), markerText({ ...owned, [remote.name]: remote.peer }), 0o644);
    if (remote.pinnedCert !== null) await this.writeAtomic(user, join(dir, 'servercerts', `${remote.name}.crt`), remote.pinnedCert, 0o644);
    const next = withRemote(config, remote);
    if (next !== config) await this.writeAtomic(user, configPath, next, 0o644);
  }

  async removeRemote(user: LocalUser, name: string): Promise<void> {
    this.checkName(user, name);
    const dir = await this.dirOf(user);
    const { withoutRemote, parseMarker, markerText, MARKER_FILE } = await this.text();
    const owned = parseMarker(await this.readText(user, join(dir, MARKER_FILE)));
    if (owned[name] === undefined) return;
    await this.ensureDir(user, join(dir, 'servercerts'));
    const configPath = join(dir, 'config.yml');
    const config = await this.readText(user, configPath);
    if (config !== null) {
      const next = withoutRemote(config, name);
      if (next !== config) await this.writeAtomic(user, configPath, next, 0o644);
    }
    await rm(join(dir, 'servercerts', `${name}.crt`), { force: true });
    delete owned[name];
    await this.writeAtomic(user, join(dir, MARKER_FILE), markerText(owned), 0o644);
  }

  async ensureClientCert(user: LocalUser, hostname: string): Promise<string> {
    const dir = await this.dirOf(user);
    await this.ensureDir(user, dir);
    return ensureClientCertIn(dir, user, hostname, this.run);
  }

  async clientKey(user: LocalUser): Promise<string> {
    const path = join(await this.dirOf(user), 'client.key');
    const key = await this.readText(user, path);
    if (key === null) throw new ClientConfigError(user.name, path, 'no client key');
    return key;
  }

  /** Resolves local users from <root>/etc/passwd; names not found are returned apart. */
  async users(names: readonly string[]): Promise<{ readonly found: LocalUser[]; readonly missing: string[] }> {
    const { parsePasswd } = await this.text();
    const passwd = parsePasswd(await readFile(join(this.options.root, 'etc', 'passwd'), 'utf8'));
    const found: LocalUser[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const entry = passwd.get(name);
      if (entry) found.push(entry);
      else missing.push(name);
    }
    return { found, missing };
  }
}
