// list-remotes on a real unit: this machine's lxc client files (deb or snap layout) and a TLS probe.
// Loaded with `await import()` only when the action runs, so other hooks never parse it (or yaml).
import { clientPackaging } from '../../lxd/socket-path';
import { FsClientConfigStore } from '../../migration/fs-client-config';
import { makeListRemotes } from './list-remotes';
import { probeRemote } from './remote-probe';

export const listRemotes = makeListRemotes(() => {
  const files = new FsClientConfigStore({ root: '/', packaging: clientPackaging(process.env) });
  return { users: (names) => files.users(names), read: (user) => files.read(user), probe: probeRemote };
});
