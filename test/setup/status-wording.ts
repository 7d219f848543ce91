// Unit project setup: after each test, every status the charm set through the fake hook tools is
// checked against the wording rule (test/fakes/status-wording.ts), so no status anywhere doubles a prefix.
import { everyStatusSet, repeatedPrefix } from '../fakes/status-wording';

afterEach(() => {
  const statuses = everyStatusSet.splice(0);
  const doubled = statuses.flatMap((s) => {
    const phrase = repeatedPrefix(s.message);
    return phrase === null ? [] : [`${s.status}: ${s.message} (repeats "${phrase}")`];
  });
  expect(doubled).toEqual([]);
});
