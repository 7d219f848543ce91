// The wording rule every status the charm sets must keep: no phrase repeated as its own prefix
// ("cannot install criu: cannot install criu: E: …"). test/setup/status-wording.ts applies it to
// every status the unit tests' fake hook tools receive.
import type { WorkloadStatus } from '../../src/juju/hook-tools';

/** Every status any fake hook tool was given, in order; the setup file drains it after each test. */
export const everyStatusSet: WorkloadStatus[] = [];

/**
 * The first phrase that appears twice as a prefix ("X: … X: …"), or null. Phrases are what lies between
 * the start, a "; " (reasons are joined so) or a ": ", and the next ": ".
 */
export function repeatedPrefix(message: string): string | null {
  const starts = [0, ...[...message.matchAll(/: |; /g)].map((m) => (m.index ?? 0) + 2)];
  for (const start of starts) {
    const end = message.indexOf(': ', start);
    if (end < 0) continue;
    const phrase = message.slice(start, end);
    if (phrase.length < 4) continue;
    if (message.indexOf(`${phrase}: `, end + 2) >= 0) return phrase;
  }
  return null;
}
