// Every hook but install/stop/remove: read → desired → plan → apply (re-planning until nothing is left)
// → publish on the lxd relation → one status. A no-change run reads, then writes nothing.
import { randomUUID } from 'node:crypto';
import type { WorkloadStatus } from '../juju/hook-tools';
import { stateChanges, stateRemovals, type CharmState } from '../model/charm-state';
import { describeProblems, type CharmConfig } from '../model/config';
import { desiredHost, type DesiredHost } from '../model/desired';
import { renderPreseed } from '../model/preseed';
import { PAUSED, blocked, readyStatus, withPeerWiring } from '../model/status';
import { PackageError, SnapdError } from '../host/host';
import { LxdApiError } from '../lxd/lxd-api';
import { applyPlan } from '../reconcile/apply';
import { FULL_CHECK_INTERVAL_MS, fingerprintOf, inputsDigest, parseQuickCheck, quickCheckText, type QuickCheck } from '../reconcile/quick-check';
import { observe } from '../reconcile/observe';
import { describeChange, detachRefusal, plan, type Plan } from '../reconcile/plan';
import type { Observed } from '../reconcile/observed';
import { publishedKey, publishedPoolName, type LxdRelation } from './lxd-relation';
import { readInputs, readSnapResource } from './inputs';
import { MIGRATION_ENDPOINT, reconcileMigration, type MigrationOutcome } from './peers';
import { NO_PEERS } from '../reconcile/peers';
import { readAhead } from '../juju/read-ahead';
import type { Handler, Services } from './services';
import { resolveTrustPassword, type TrustPassword } from './trust-password';

const LXD_WAIT_MS = 120_000;
/** packages only an option asks for, and how to do without them */
const PACKAGE_OPTIONS: Readonly<Record<string, string>> = {
  criu: 'wanted by use-criu=true: make criu installable or set use-criu=false',
  'zfsutils-linux': 'wanted by storage-type=zfs: make zfsutils-linux installable or choose another storage-type',
};
const MAX_ROUNDS = 4;

/** Sets a status only when it differs from the last one this charm set (or maintenance intervened). */
async function report(s: Services, status: WorkloadStatus, state: CharmState, force: boolean): Promise<CharmState> {
  const key = `${status.status}|${status.message}`;
  if (force || state.lastStatus !== key) await s.juju.statusSet(status);
  return { ...state, lastStatus: key };
}

/** The hook's one state-set (the peers' memory included), then the deletions of keys that went. */
async function commit(s: Services, before: Readonly<Record<string, string>>, after: CharmState): Promise<void> {
  const changes = stateChanges(before, after);
  if (Object.keys(changes).length > 0) await s.juju.stateSet(changes);
  for (const key of stateRemovals(before, after)) await s.juju.stateDelete(key);
}

/**
 * Leaves update-status what it needs to skip a converge. Not rewritten when only the check time would
 * move, unless that is half an hour old (update-status converges once it is an hour old): replacing a
 * file is a synchronous flush on ext4 that cost a hook up to 50 ms on a busy disk (measured).
 */
async function remember(s: Services, before: string | null, outcome: Omit<QuickCheck, 'checkedAt' | 'charmVersion'>): Promise<void> {
  if (!s.memo) return;
  const now = s.now();
  const { charmVersion } = s.memo;
  const last = parseQuickCheck(before);
  const same = last !== null && last.recheck === undefined && last.charmVersion === charmVersion && last.lastStatus === outcome.lastStatus && last.fingerprint === outcome.fingerprint && last.lxdPid === outcome.lxdPid && last.paused === outcome.paused && last.inputs === outcome.inputs && JSON.stringify(last.loops ?? []) === JSON.stringify(outcome.loops ?? []);
  const age = last === null ? NaN : now.getTime() - Date.parse(last.checkedAt);
  if (same && age >= 0 && age < FULL_CHECK_INTERVAL_MS / 2) return;
  await s.memo.write(quickCheckText({ ...outcome, checkedAt: now.toISOString(), charmVersion }));
}

export interface ConvergeOptions {
  readonly newNonce?: () => string;
  /** the preseed template; when given, the desired state is logged as that document whenever work is done */
  readonly loadTemplate?: () => Promise<string>;
  /** the resume action: converge although the remembered state says paused, and forget the pause */
  readonly resuming?: boolean;
}

/** What the apply rounds ended with: the last observation and plan, and the first failure if any. */
interface Outcome {
  readonly observed: Observed;
  readonly plan: Plan;
  readonly failure: string | null;
  readonly addedUsers: readonly string[];
  readonly state: CharmState;
  readonly worked: boolean;
}

interface RoundsInput {
  readonly s: Services;
  readonly desired: DesiredHost;
  readonly config: CharmConfig;
  readonly trust: TrustPassword;
  readonly first: Observed;
  readonly observeAgain: (state: CharmState) => Promise<Observed>;
  readonly loadTemplate: (() => Promise<string>) | undefined;
  readonly alreadyWorking: boolean;
}

/** Plan, apply, observe again, until the plan is empty, something blocks, or a change fails. */
async function applyRounds(input: RoundsInput, initial: CharmState): Promise<Outcome> {
  const { s, desired, config, trust, loadTemplate } = input;
  let state = initial;
  let worked = input.alreadyWorking;
  let observed = input.first;
  let current: Plan = plan(desired, observed);
  const addedUsers: string[] = [];
  try {
    for (let round = 1; current.changes.length > 0 && round <= MAX_ROUNDS; round++) {
      if (!worked) {
        worked = true;
        await s.juju.statusSet({ status: 'maintenance', message: 'Configuring LXD' });
      }
      if (round === 1 && loadTemplate) await s.juju.log('DEBUG', `desired state:\n${await renderPreseed(desired, await loadTemplate())}`);
      const io = { lxd: s.lxd, host: s.host, juju: s.juju, clients: s.clients, lxc: s.lxc, hosts: s.hosts, peers: NO_PEERS, metrics: s.metrics, trustPassword: async () => ({ value: await trust.value(), hash: trust.hash }) };
      const result = await applyPlan(current.changes, io, state);
      state = result.state;
      addedUsers.push(...current.changes.flatMap((c) => (c.kind === 'add-user-to-group' ? [c.user] : [])));
      if (result.error) {
        let failure = result.error.message;
        if (result.error.change.kind === 'create-pool' && desired.pool.driver === 'lvm' && config.storage.thinpool && /thin|device-mapper|dm[-_ ]/i.test(failure)) {
          failure = `${failure.replace(/\s+/g, ' ').slice(0, 200)}… (this kernel cannot make LVM thin pools: set lvm-thinpool=false)`;
        }
        // a package an option asks for: name the option, the thing the operator can change
        const option = result.error.reason instanceof PackageError ? PACKAGE_OPTIONS[result.error.reason.packageName] : undefined;
        if (option) failure = `${failure} (${option})`;
        await s.juju.log('ERROR', failure);
        return { observed, plan: current, failure, addedUsers, state, worked };
      }
      observed = await input.observeAgain(state);
      current = plan(desired, observed);
    }
  } catch (err) {
    // a read failing after changes were made: block, and still commit what was learnt (a wipe above all)
    const failure = `cannot read the host back: ${err instanceof Error ? err.message : String(err)}`;
    await s.juju.log('ERROR', failure);
    return { observed, plan: { changes: [], blocked: [], notes: [] }, failure, addedUsers, state, worked };
  }
  return { observed, plan: current, failure: null, addedUsers, state, worked };
}

/**
 * nova-compute restarts on every new nonce, then checks `lxc list` as its user, and reads `pool`: so
 * pool and nonce are sent only once that works (the users it named are in group lxd, the pool
 * exists, nothing blocks), and a new nonce only when what it reads changed (the users, their
 * membership, the pool). A relation that joins later gets the current nonce.
 */
async function publishToNova(s: Services, relation: LxdRelation, want: DesiredHost['pool'], outcome: Outcome, newNonce: () => string): Promise<CharmState> {
  const { state, observed } = outcome;
  if (relation.ids.length === 0 || relation.users.length === 0) return state;
  if (outcome.failure || outcome.plan.blocked.length > 0 || outcome.plan.changes.length > 0) return state;
  const members = observed.lxdGroupMembers ?? [];
  const poolExists = observed.pools.some((p) => p.name === want.name && p.driver === want.driver);
  if (!poolExists || !relation.users.every((u) => members.includes(u))) return state;
  const pool = want.name;
  const published = publishedKey(relation.ids, pool);
  // a refused value may have replaced a user sent before: that is no change (membership stays, no restart)
  const users = relation.rejected.length > 0 ? [...new Set([...state.lxdUsers, ...relation.users])].sort() : relation.users;
  const usersChanged = JSON.stringify(users) !== JSON.stringify(state.lxdUsers);
  const poolChanged = publishedPoolName(state.publishedPool) !== pool;
  const renew = outcome.addedUsers.length > 0 || usersChanged || poolChanged || !state.nonce;
  if (!renew && state.publishedPool === published) return state;
  const nonce = renew ? newNonce() : state.nonce;
  for (const id of relation.ids) await s.juju.relationSet(id, { pool, nonce });
  return { ...state, nonce, publishedPool: published, lxdUsers: users };
}

/**
 * Hook tools that start the peer relation's reads now, while LXD is observed, instead of after it:
 * the bags the wiring will read (a peer's own hook reads only that peer's).
 */
function withPeerReadsStarted(s: Services): Services {
  const ahead = readAhead(s.juju, s.event.unit.unitName);
  const relation = s.event.kind === 'hook' ? s.event.relation : null;
  const peerHook = relation?.endpoint === MIGRATION_ENDPOINT && /-relation-(joined|changed)$/.test(s.event.name) && relation.remoteUnit;
  ahead.prefetch(MIGRATION_ENDPOINT, (units) => (peerHook ? units.filter((u) => u === relation.remoteUnit) : units));
  return { ...s, juju: ahead.juju };
}

/**
 * The legacy lxd charm (openstack-archive/charm-lxd) kept its trust password in its unit kv store and
 * published it, plaintext, as `password` in its own lxd-migration bag, which Juju keeps across
 * upgrade-charm: a unit upgraded from it keeps that password (its peers joined with it).
 */
async function legacyTrustPassword(s: Services): Promise<string | null> {
  for (const id of await s.juju.relationIds(MIGRATION_ENDPOINT)) {
    const password = (await s.juju.relationGet(id, s.event.unit.unitName)).password;
    if (password) {
      await s.juju.log('INFO', 'kept the trust password the legacy lxd charm published (its peers joined with it)');
      return password;
    }
  }
  return null;
}

export function makeConverge({ newNonce = randomUUID, loadTemplate, resuming = false }: ConvergeOptions = {}): Handler {
  return async (hookServices) => {
    let s = hookServices;
    // independent reads, in parallel: each is a process spawn on a real unit
    const [inputs, memo] = await Promise.all([readInputs(s), s.memo?.read() ?? null]);
    const { values, stateBag, relation, binding, address, config: parsed, packaging } = inputs;
    let state = inputs.state;
    const digest = inputsDigest(values, address);
    /** Every way out: the one status, the state that changed, and the memo for update-status and config-changed. */
    const finish = async (status: WorkloadStatus, now: CharmState, force: boolean, lxd = { fingerprint: '', pid: 0 }): Promise<void> => {
      const reported = await report(s, status, now, force);
      await commit(s, stateBag, reported);
      const loops = reported.poolDevices.filter((d) => d.spec.includes('|')).map((d) => ({ file: d.spec.slice(0, d.spec.indexOf('|')), device: d.device }));
      await remember(s, memo, { lastStatus: reported.lastStatus, fingerprint: lxd.fingerprint, lxdPid: lxd.pid, paused: status === PAUSED, inputs: digest, ...(loops.length > 0 ? { loops } : {}) });
    };
    if (state.pausedSince && !resuming) {
      // LXD is stopped on purpose: touch nothing until the resume action
      await finish(PAUSED, state, false);
      return;
    }
    state = { ...state, pausedSince: '' };
    if (!parsed.ok || packaging === null) {
      // bad input changes nothing: not even the host is read
      await finish(blocked(parsed.ok ? [] : [describeProblems(parsed.problems)]), state, false);
      return;
    }
    // deb hosts have no use for the lxd-snap resource: said once per deploy or attach (start, upgrade-charm)
    if (packaging === 'distro' && s.event.kind === 'hook' && (s.event.name === 'start' || s.event.name === 'upgrade-charm')) {
      const resource = await readSnapResource(s);
      if (resource.kind === 'file') await s.juju.log('INFO', `resource lxd-snap (${resource.sizeBytes} bytes) is ignored: LXD on this host is the distro package, not the snap`);
    }
    // the peer wiring's reads overlap with observing LXD below
    s = withPeerReadsStarted(s);
    const config = parsed.config;
    const desired = desiredHost({ config, bindAddress: address, keepListener: !binding.known, relationUsers: relation.users, packaging, https: inputs.https, storage: inputs.storage, detaching: inputs.detaching, snapResource: inputs.snapResource, metrics: inputs.metrics });
    const trust = await resolveTrustPassword(config.trustPassword, state, s.juju, undefined, () => legacyTrustPassword(s));
    state = { ...state, ...trust.remember };
    const observeAgain = (known: CharmState): Promise<Observed> => observe(desired, s, known, trust.hash);

    let waited = false;
    let first: Observed;
    try {
      first = await observeAgain(state);
    } catch (err) {
      if (err instanceof SnapdError) {
        // snapd cannot say whether LXD's snap is there: change nothing (no install over a snap that may
        // exist), say why, and try again on the next hook (update-status converges while not active)
        await finish(blocked([`snapd cannot tell whether the lxd snap is installed: ${err.message}`]), state, false);
        return;
      }
      if (!(err instanceof LxdApiError && err.status === 0)) throw err;
      // the socket is not there (yet): the init system or the emulator starts LXD, the charm waits
      waited = true;
      await s.juju.statusSet({ status: 'maintenance', message: 'Waiting for the LXD daemon' });
      try {
        await s.lxd.waitReady(LXD_WAIT_MS);
        first = await observeAgain(state);
      } catch (retryErr) {
        const why = retryErr instanceof Error ? retryErr.message : String(retryErr);
        await finish(blocked([`LXD is not running: ${why}`]), state, true);
        return;
      }
    }

    const outcome = await applyRounds({ s, desired, config, trust, first, observeAgain, loadTemplate, alreadyWorking: waited }, state);
    // notes repeat every hook: log them only when this hook did work, not on the no-change path
    // (and in an https relation hook: what it says of the client's data is its answer)
    if (outcome.worked || inputs.https.recheck) for (const note of outcome.plan.notes) await s.juju.log('INFO', note);
    state = await publishToNova(s, relation, desired.pool, outcome, newNonce);

    const { server, networks, poolSpace } = outcome.observed;
    if (server.serverVersion && server.serverVersion !== state.workloadVersion) {
      await s.juju.applicationVersionSet(server.serverVersion);
      state = { ...state, workloadVersion: server.serverVersion };
    }

    const reasons = [...relation.rejected, ...outcome.plan.blocked, ...(outcome.failure ? [outcome.failure] : [])];
    if (reasons.length === 0 && outcome.plan.changes.length > 0) reasons.push(`still not converged after ${MAX_ROUNDS} rounds: ${outcome.plan.changes.map(describeChange).join(', ')}`);
    // A failed network-get is Juju's to answer, not the operator's: the hook still succeeds (the rest of
    // the host is converged and committed), the listener stays as it is, the status waits naming the
    // binding, and update-status converges again because the status is not active. No non-zero exit:
    // a failed hook would drop the work done and show only "hook failed".
    const bindingProblem = binding.known ? null : binding.problem;
    // the peers are wired only on a configured host whose listener is known (it is what they dial)
    const trustPassword = async (): Promise<{ value: string; hash: string }> => ({ value: await trust.value(), hash: trust.hash });
    const peers: MigrationOutcome | null = reasons.length > 0 || bindingProblem ? null : await reconcileMigration(s, { relationUsers: relation.users, address, port: config.httpsPort, server, trustPassword, pool: desired.pool.name }, state);
    if (peers) state = peers.state;
    const status: WorkloadStatus =
      reasons.length > 0 ? blocked(bindingProblem ? [...reasons, bindingProblem] : reasons)
      : bindingProblem ? { status: 'waiting', message: bindingProblem }
      : withPeerWiring(readyStatus(desired, server, networks, desired.pool.devices.length, poolSpace), peers?.wiring ?? null);
    // update-status skips the converge while LXD still matches the fingerprint; anything short of active converges again
    const active = status.status === 'active';
    await finish(status, state, outcome.worked || resuming, { fingerprint: active ? fingerprintOf(server) : '', pid: active ? (server.serverPid ?? 0) : 0 });
    // the status says why; the failed hook is what keeps Juju from taking the device (it retries, or the operator resolves)
    const refusal = detachRefusal(desired.pool, outcome.observed);
    if (refusal) throw new Error(`refusing to let ${desired.pool.detaching?.id ?? 'the storage'} go: ${refusal}`);
  };
}
