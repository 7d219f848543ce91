// The hook entry point (dist/lxd-charm.js) and the only file that touches `process`. It ends three cases
// itself: an update-status, a config-changed or a peer's -joined/-changed with nothing to do (see quiet-hooks.ts). Everything
// else, and any doubt, runs the full charm (src/charm.ts, built as dist/charm.js), loaded only then:
// measured side by side, loading it and node:http costs a quarter of a `node -e 0`, more than
// update-status's whole budget leaves.
import { loopStillAttached } from './host/loop-backing';
import { CharmDirMemo } from './juju/unit-memo';
import { procLxdDaemon } from './lxd/daemon-process';
import { findSocket } from './lxd/socket-path';
import { hookIsQuiet, quietCandidate } from './quiet-hooks';

const EXIT_FAILED = 1;

async function endsQuietly(env: NodeJS.ProcessEnv): Promise<boolean> {
  const hook = quietCandidate(env.JUJU_DISPATCH_PATH);
  if (hook === null) return false;
  return hookIsQuiet({
    hook,
    memo: new CharmDirMemo(),
    // loaded on first use: update-status never connects (it looks in /proc), and node:net costs it a start-up share
    lxd: { server: async () => (await import('./lxd/server-probe')).probeServer(findSocket(env)) },
    daemon: procLxdDaemon,
    juju: async () => {
      const [{ ExecHookTools }, { childProcessRunner }] = await Promise.all([import('./juju/exec-hook-tools'), import('./juju/child-process-runner')]);
      return new ExecHookTools(childProcessRunner);
    },
    now: new Date(),
    loopAttached: (file, device) => loopStillAttached(file, device),
    ...(env.JUJU_RELATION_ID && env.JUJU_REMOTE_UNIT ? { peer: { relationId: env.JUJU_RELATION_ID, unit: env.JUJU_REMOTE_UNIT } } : {}),
  }).catch(() => false);
}

async function main(env: NodeJS.ProcessEnv): Promise<number> {
  if (await endsQuietly(env)) return 0;
  const { runCharm } = await import('./charm');
  return runCharm(env);
}

// The hook ends when its handler does: a timer or socket left behind must not keep Juju waiting (hooks
// have no timeout). stdout/stderr are synchronous on Linux pipes and files, so nothing is cut off.
main(process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ERROR ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_FAILED);
  },
);
