// What a test that drives real machines needs (root, a package, a built file), checked before it runs.
// Locally a test whose requirements are not met is skipped, saying why once on stderr. Under CI=true
// it FAILS with the reasons: a CI host missing a package must not go green. Shared by the emulator's
// and the charm's end-to-end tests (test/e2e/helpers/requirements.ts adds the charm's own).
import { existsSync } from 'node:fs';

export interface Requirement {
  /** a short id; TEST_PRETEND_MISSING=<id>,… treats it as unmet (to show CI's failure without uninstalling anything) */
  readonly id: string;
  /** what is missing, and how to get it */
  readonly missing: string;
  readonly met: () => boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const root: Requirement = { id: 'root', missing: 'not running as root (these tests need root: run them with sudo)', met: () => process.getuid?.() === 0 };

/** A file the test runs or reads: a binary of a Debian package, a built artefact. */
export const file = (id: string, path: string, howToGet: string): Requirement => ({ id, missing: `${path} is missing (${howToGet})`, met: () => existsSync(path) });

export const lxdDaemon = file('lxd', '/usr/bin/lxd', 'the lxd deb: bash scripts/setup-host.sh installs it');
export const lxcClient = file('lxc', '/usr/bin/lxc', 'the lxd-client deb: bash scripts/setup-host.sh installs it');

/** SKIP_SLOW=1 opts out of the slow tests locally; under CI it is a reason to fail like any other. */
export const slowAllowed: Requirement = { id: 'slow', missing: 'SKIP_SLOW=1 is set', met: () => process.env.SKIP_SLOW !== '1' };

/** The reasons the requirements are not met, in order; empty when the test can run. */
export function unmetReasons(requirements: readonly Requirement[], env: Env = process.env): string[] {
  const pretend = new Set((env.TEST_PRETEND_MISSING ?? '').split(',').map((id) => id.trim()).filter((id) => id !== ''));
  return requirements.filter((r) => pretend.has(r.id) || !r.met()).map((r) => r.missing);
}

/** Under CI=true (as CI systems set it): throws naming every unmet requirement. Otherwise returns them. */
export function checkRequirements(what: string, requirements: readonly Requirement[], env: Env = process.env): string[] {
  const reasons = unmetReasons(requirements, env);
  if (reasons.length > 0 && env.CI === 'true') throw new Error(`${what} cannot run under CI=true: ${reasons.join('; ')}`);
  return reasons;
}

const reported = new Set<string>();
function skipping(what: string, reasons: readonly string[]): void {
  if (reported.has(what)) return;
  reported.add(what);
  process.stderr.write(`skipping "${what}": ${reasons.join('; ')}\n`);
}

type Body = () => void;
type TestFn = () => Promise<unknown>;

/**
 * describe() when the requirements hold. Otherwise, under CI=true, a describe whose one test fails with
 * the reasons; locally describe.skip (and one line on stderr saying why).
 */
export function describeWith(requirements: readonly Requirement[], name: string, body: Body, env: Env = process.env): void {
  const reasons = unmetReasons(requirements, env);
  if (reasons.length === 0) {
    describe(name, body);
  } else if (env.CI === 'true') {
    describe(name, () => {
      test('has what it needs to run', () => {
        checkRequirements(name, requirements, env);
      });
    });
  } else {
    skipping(name, reasons);
    describe.skip(name, body);
  }
}

/** test() with the same rule as describeWith. */
export function testWith(requirements: readonly Requirement[], name: string, fn: TestFn, timeout?: number, env: Env = process.env): void {
  const reasons = unmetReasons(requirements, env);
  if (reasons.length === 0) {
    test(name, fn, timeout);
  } else if (env.CI === 'true') {
    test(name, () => {
      checkRequirements(name, requirements, env);
    });
  } else {
    skipping(name, reasons);
    test.skip(name, fn);
  }
}
