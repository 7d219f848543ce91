// The hook entry point (dist/lxd-charm.js) and the only file that touches `process`. It ends one case
// itself: an update-status with nothing to do (the hook every unit runs every five minutes; see
// quiet-update-status.ts). Everything else, and any doubt, runs the full charm (src/charm.ts, built as
// dist/charm.js), loaded only then: measured side by side, loading it and node:http costs a quarter of
// a `node -e 0`, more than update-status's whole budget leaves.
import { isUpdateStatusHook, updateStatusIsQuiet } from './quiet-update-status';

const EXIT_FAILED = 1;

async function main(env: NodeJS.ProcessEnv): Promise<number> {
  if (isUpdateStatusHook(env.JUJU_DISPATCH_PATH) && (await updateStatusIsQuiet(env).catch(() => false))) return 0;
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
