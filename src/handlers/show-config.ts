// Action show-config: the desired state as a preseed-style document, and what differs from the host now
// (the plan the next hook would apply). Reads only: it generates no password and changes nothing.
import { describeProblems } from '../model/config';
import { desiredHost } from '../model/desired';
import { renderPreseed } from '../model/preseed';
import { trustMethods } from '../model/status';
import { observe } from '../reconcile/observe';
import { describeChange, plan } from '../reconcile/plan';
import { readInputs } from './inputs';
import type { Handler } from './services';
import { hashPassword } from './trust-password';

export function makeShowConfig(loadTemplate: () => Promise<string>): Handler {
  return async (s) => {
    const { config: parsed, state, relation, https, address, packaging, storage } = await readInputs(s);
    if (!parsed.ok || packaging === null) {
      await s.juju.actionFail(parsed.ok ? 'no LXD packaging' : describeProblems(parsed.problems));
      return;
    }
    const desired = desiredHost({ config: parsed.config, bindAddress: address, relationUsers: relation.users, packaging, https, storage });
    const wantedHash = parsed.config.trustPassword ? hashPassword(parsed.config.trustPassword) : state.trustPasswordHash;
    const observed = await observe(desired, s, state, wantedHash);
    const todo = plan(desired, observed);
    await s.juju.actionSet({
      desired: await renderPreseed(desired, await loadTemplate()),
      differences: todo.changes.length > 0 ? todo.changes.map(describeChange).join('\n') : 'none: the host is as desired',
      blocked: [...relation.rejected, ...todo.blocked].join('\n') || 'nothing',
      'trust-methods': trustMethods(observed.server).join(', ') || 'none',
      'lxd-version': observed.server.serverVersion,
    });
  };
}
