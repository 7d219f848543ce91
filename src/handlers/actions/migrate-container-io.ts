// migrate-container on a real unit: this machine's lxc client files, and lxc run as the user through
// runuser (which also sets the supplementary groups: lxd's socket needs the lxd group), with its HOME
// and stdin closed so no prompt can wait. Loaded only when the action runs.
import { execFile } from 'node:child_process';
import { clientPackaging } from '../../lxd/socket-path';
import { FsClientConfigStore } from '../../migration/fs-client-config';
import type { LocalUser } from '../../migration/ports';
import { makeMigrateContainer, type LxcResult } from './migrate-container';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin';

function lxcAs(user: LocalUser, args: readonly string[]): Promise<LxcResult> {
  return new Promise((resolve) => {
    const [command, argv] = user.uid === 0 ? ['lxc', [...args]] : ['runuser', ['-u', user.name, '--', 'lxc', ...args]];
    const child = execFile(
      command,
      argv,
      { env: { PATH, LANG: 'C.UTF-8', HOME: user.home, USER: user.name }, cwd: '/', timeout: 1_800_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ exitCode: code, stdout: String(stdout), stderr: err && !stderr ? err.message : String(stderr) });
      },
    );
    child.stdin?.end();
  });
}

export const migrateContainer = makeMigrateContainer(() => {
  const files = new FsClientConfigStore({ root: '/', packaging: clientPackaging(process.env) });
  return { users: (names) => files.users(names), read: (user) => files.read(user), lxc: lxcAs };
});
