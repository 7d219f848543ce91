// list-remotes on a real unit: this machine's lxc client files (deb or snap layout) and a TLS probe.
// Loaded with `await import()` only when the action runs, so other hooks never parse it (or yaml).
import { findSocket, SNAP_SOCKET } from '../../lxd/socket-client';
import { FsClientConfigStore } from '../../migration/fs-client-config';
import { makeListRemotes } from './list-remotes';
import { probeRemote } from './remote-probe';

export const listRemotes = makeListRemotes(() => {
  const files = new FsClientConfigStore({ root: '/', packaging: findSocket(process.env) === SNAP_SOCKET ? 'snap' : 'deb' });
  return { users: (names) => files.users(names), read: (user) => files.read(user), probe: probeRemote };
});
