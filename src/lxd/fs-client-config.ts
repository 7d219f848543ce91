// ClientConfigStore over real files under a root prefix ("/" on a unit, a temp dir in tests). Every
// directory below the user's home is checked (no symlinks, owned by the user or root) and every file is
// written as a temp file owned and moded as it must end up, then renamed: a user cannot steer root's
// writes through a planted symlink, and lxc never reads half a file.
import { lstat, mkdir, chown, open, readFile, readlink, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureClientCertIn, runCommand, type RunCommand } from './client-cert';
import { ClientConfigError, type ClientConfigStore, type LocalUser, type ObservedRemote, type RemoteSpec, type UserClientConfig } from './client-config-store';
import type { LxdPackaging } from '../model/software';

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** a snap revision directory name, as ~/snap/<snap>/current points at it ("x1" for a sideloaded one) */
const SNAP_REVISION = /^x?[0-9]{1,12}$/;

/**
 * Where a user's lxc and pylxd look on this host. The snap: lxc reads ~/snap/lxd/common/config (the
 * wrapper's LXD_CONF), current pylxd that too, an lxc run outside the snap (the deb's, or LXD_CONF
 * unset) ~/.config/lxc, old pylxd (before 2.2.7) ~/snap/lxd/current/.config/lxc. The deb: ~/.config/lxc
 * for all. The first place is the one read; the others follow it: the same certificate and key
 * everywhere, the same managed remotes where lxc looks.
 */
interface Places {
  readonly primary: string;
  /** other lxc config directories: remotes, pins and the certificate */
  readonly lxcMirrors: readonly string[];
  /** directories only pylxd reads: the certificate and key */
  readonly certMirrors: readonly string[];
}

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

  private async placesOf(user: LocalUser): Promise<Places> {
    const { configDirOf } = await this.text();
    const primary = await this.dirOf(user);
    if (this.options.packaging !== 'snap') return { primary, lxcMirrors: [], certMirrors: [] };
    const certMirrors: string[] = [];
    // old pylxd's place exists once the snap ran for the user (snapd made ~/snap/lxd/<rev> and current)
    const snapDir = join(this.options.root, user.home, 'snap', 'lxd');
    const current = await readlink(join(snapDir, 'current')).catch(() => null);
    if (current !== null && SNAP_REVISION.test(current)) {
      const revision = await lstat(join(snapDir, current)).catch(() => null);
      if (revision?.isDirectory() && (revision.uid === user.uid || revision.uid === 0)) certMirrors.push(join(snapDir, current, '.config', 'lxc'));
    }
    return { primary, lxcMirrors: [join(this.options.root, configDirOf(user.home, 'distro'))], certMirrors };
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
    const foreignUrls = new Map<string, string>();
    for (const [name, url] of remotes) {
      const peer = owned[name];
      if (peer === undefined || !REMOTE_NAME.test(name)) {
        foreign.add(name);
        foreignUrls.set(name, url);
        continue;
      }
      const pinnedCert = await this.readText(user, join(dir, 'servercerts', `${name}.crt`));
      // a mirror (another place lxc looks) that lost or changed this remote reads as a remote to repair
      const mirrored = await this.mirrorsAgree(user, name, url, pinnedCert);
      managed.set(name, { name, url: mirrored ? url : '', peer, pinnedCert });
    }
    return { managed, foreign, foreignUrls };
  }

  private async mirrorsAgree(user: LocalUser, name: string, url: string, pinnedCert: string | null): Promise<boolean> {
    const { remotesIn } = await this.text();
    for (const dir of (await this.placesOf(user)).lxcMirrors) {
      const config = await this.readText(user, join(dir, 'config.yml'));
      let remotes: Map<string, string>;
      try {
        remotes = remotesIn(config);
      } catch {
        return false; // written again from the first place's view by the repair
      }
      if (remotes.get(name) !== url || (await this.readText(user, join(dir, 'servercerts', `${name}.crt`))) !== pinnedCert) return false;
    }
    return true;
  }

  async writeRemote(user: LocalUser, remote: RemoteSpec): Promise<void> {
    this.checkName(user, remote.name);
    const places = await this.placesOf(user);
    for (const dir of [places.primary, ...places.lxcMirrors]) await this.writeRemoteIn(user, dir, remote);
  }

  private async writeRemoteIn(user: LocalUser, dir: string, remote: RemoteSpec): Promise<void> {
    const { withRemote, remotesIn, parseMarker, markerText, MARKER_FILE } = await this.text();
    await this.ensureDir(user, join(dir, 'servercerts'));
    const configPath = join(dir, 'config.yml');
    const config = await this.readText(user, configPath);
    const owned = parseMarker(await this.readText(user, join(dir, MARKER_FILE)));
    if (remotesIn(config).has(remote.name) && owned[remote.name] === undefined && remote.takeOver !== true) {
      throw new ClientConfigError(user.name, configPath, `remote ${remote.name} exists and is not the charm's: left alone`);
    }
    // marker first: a crash before config.yml is written leaves a marker entry that read() ignores
    if (owned[remote.name] !== remote.peer) await this.writeAtomic(user, join(dir, MARKER_FILE), markerText({ ...owned, [remote.name]: remote.peer }), 0o644);
    const pinPath = join(dir, 'servercerts', `${remote.name}.crt`);
    if (remote.pinnedCert !== null && (await this.readText(user, pinPath)) !== remote.pinnedCert) await this.writeAtomic(user, pinPath, remote.pinnedCert, 0o644);
    const next = withRemote(config, remote);
    if (next !== config) await this.writeAtomic(user, configPath, next, 0o644);
  }

  async removeRemote(user: LocalUser, name: string): Promise<void> {
    this.checkName(user, name);
    const places = await this.placesOf(user);
    for (const dir of [places.primary, ...places.lxcMirrors]) await this.removeRemoteIn(user, dir, name);
  }

  private async removeRemoteIn(user: LocalUser, dir: string, name: string): Promise<void> {
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

  /** The certificate of the first place (made there when missing), copied with its key to the others where they differ. */
  async ensureClientCert(user: LocalUser, hostname: string): Promise<string> {
    const places = await this.placesOf(user);
    await this.ensureDir(user, places.primary);
    const pem = await ensureClientCertIn(places.primary, user, hostname, this.run);
    const mirrors = [...places.lxcMirrors, ...places.certMirrors];
    if (mirrors.length === 0) return pem;
    const key = await this.clientKey(user);
    for (const dir of mirrors) {
      await this.ensureDir(user, dir);
      // key first, as ensureClientCertIn does: a crash in between leaves a pair lxc reports, not a mismatched one used
      if ((await this.readText(user, join(dir, 'client.key'))) !== key) await this.writeAtomic(user, join(dir, 'client.key'), key, 0o600);
      if ((await this.readText(user, join(dir, 'client.crt'))) !== pem) await this.writeAtomic(user, join(dir, 'client.crt'), pem, 0o644);
    }
    return pem;
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
