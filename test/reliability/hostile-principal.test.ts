// Hostile principal data on the `lxd` relation, through the charm's event table with the fakes: every
// value below is refused with a log line naming the unit and the key, the lxd group and the nonce stay
// as they were, and a well-behaved principal beside it still gets its user added.
import { aUnit } from '../builders/juju-state';
import { runHook } from '../builders/run-hook';
import { FakeHost } from '../fakes/fake-host';
import { FakeJuju } from '../fakes/fake-juju';
import { FakeLxd } from '../fakes/fake-lxd';

interface World {
  juju: FakeJuju;
  lxd: FakeLxd;
  host: FakeHost;
}

export const HOSTILE_USERS: ReadonlyArray<readonly [string, string]> = [
  ['option -rf', '-rf'],
  ['option --help', '--help'],
  ['lone dash', '-'],
  ['root', 'root'],
  ['the group itself (lxd)', 'lxd'],
  ['relative path ../x', '../x'],
  ['absolute path', '/etc/passwd'],
  ['semicolon a;b', 'a;b'],
  ['pipe', 'a|b'],
  ['and-and', 'nova&&id'],
  ['$(id)', '$(id)'],
  ['backticks', '`id`'],
  ['${IFS}', '${IFS}'],
  ['newline then root', 'nova\nroot'],
  ['trailing newline', 'nova\n'],
  ['carriage return', 'nova\r'],
  ['tab', '\t'],
  ['leading space', ' nova'],
  ['trailing space', 'nova '],
  ['inner space', 'a b'],
  ['1 MB string', 'n'.repeat(1 << 20)],
  ['33 characters', 'a'.repeat(33)],
  ['unicode ñova', 'ñova'],
  ['cyrillic look-alike', 'nоva'],
  ['emoji', 'nova😀'],
  ['uid 0', '0'],
  ['uid 1000', '1000'],
  ['NUL byte nova\\0x', 'nova\0x'],
  ['upper case', 'NOVA'],
  ['colon (passwd field)', 'nova:x'],
  ['comma (group list)', 'nova,root'],
  ['glob', '*'],
  ['dot', '.'],
  ['dot dot', '..'],
  ['tilde', '~root'],
  ['quoted', '"nova"'],
  ['single quote', "'"],
];

const PRINCIPAL = 'nova-compute/0';
const OTHER = 'other-principal/0';

function world(users: Record<string, Record<string, string>>): World {
  let unit = aUnit().withConfig({ 'lvm-thinpool': false });
  for (const [name, bag] of Object.entries(users)) unit = unit.withRelation('lxd', { remoteApp: name.split('/')[0] ?? name, units: { [name]: bag } });
  return { juju: new FakeJuju(unit), lxd: new FakeLxd(), host: new FakeHost({ users: ['root', 'nova', 'other'] }) };
}

/** the principal `unit` changes its bag, as the next hook sees it */
function send(w: World, unit: string, bag: Record<string, string>): void {
  const state = w.juju.state;
  w.juju = new FakeJuju({ ...state, relations: state.relations.map((r) => (unit in r.remoteUnits ? { ...r, remoteUnits: { ...r.remoteUnits, [unit]: bag } } : r)) });
}

const nonceOf = (w: World): string | undefined => w.juju.state.relations.find((r) => r.endpoint === 'lxd')?.localUnit.nonce;
const lxdGroup = (w: World): string[] | undefined => w.host.groups.get('lxd');
const memberships = (w: World, since: number): string[] => w.host.actions.slice(since).filter((a) => /^(gpasswd|groupadd|useradd|usermod)/.test(a));

async function run(w: World, hook: string): Promise<void> {
  expect((await runHook(hook, w)).exitCode).toBe(0);
}

describe('hostile principal data', () => {
  describe.each(HOSTILE_USERS)('user = %s', (_label, value) => {
    test('replacing a served user: refused, logged with unit and key, group and nonce unchanged', async () => {
      const w = world({ [PRINCIPAL]: { user: 'nova' } });
      await run(w, 'config-changed');
      expect(lxdGroup(w)).toEqual(['nova']);
      const nonce = nonceOf(w);
      expect(nonce).toBeTruthy();
      const actions = w.host.actions.length;
      const logs = w.juju.logs.length;

      send(w, PRINCIPAL, { user: value });
      await run(w, 'lxd-relation-changed');
      expect(lxdGroup(w)).toEqual(['nova']);
      expect(memberships(w, actions)).toEqual([]);
      expect(nonceOf(w)).toBe(nonce);
      const refusal = w.juju.logs.slice(logs).filter((l) => l.startsWith('WARNING refused'));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toContain(PRINCIPAL);
      expect(refusal[0]).toContain('key "user"');
      expect(refusal[0]?.length).toBeLessThan(300);
      expect(w.juju.unitStatus.status).toBe('blocked');
      expect(w.juju.unitStatus.message).toContain(`${PRINCIPAL} sent an invalid user name`);
    });

    test('beside a well-behaved principal: its user is added, the hostile one is not', async () => {
      const w = world({ [PRINCIPAL]: { user: 'nova' }, [OTHER]: { user: value } });
      await run(w, 'lxd-relation-changed');
      expect(lxdGroup(w)).toEqual(['nova']);
      expect(memberships(w, 0)).toEqual(['gpasswd -a nova lxd']);
      expect(w.juju.logs.filter((l) => l.startsWith('WARNING refused'))).toEqual([expect.stringContaining(`from ${OTHER}: key "user"`)]);
    });
  });

  test('user = empty: nothing asked, nothing refused, nothing changed', async () => {
    const w = world({ [PRINCIPAL]: { user: '' } });
    await run(w, 'lxd-relation-changed');
    expect(memberships(w, 0)).toEqual([]);
    expect(lxdGroup(w)).toEqual([]);
    expect(w.juju.logs.filter((l) => l.startsWith('WARNING refused'))).toEqual([]);
    expect(w.juju.unitStatus.status).toBe('active');
  });

  test('user = an unknown (valid) name: blocked naming it, nothing changed, no nonce', async () => {
    const w = world({ [PRINCIPAL]: { user: 'ghost' } });
    await run(w, 'lxd-relation-changed');
    expect(memberships(w, 0)).toEqual([]);
    expect(nonceOf(w)).toBeUndefined();
    expect(w.juju.unitStatus).toEqual({ status: 'blocked', message: expect.stringContaining('user ghost (from nova-compute) does not exist') });
  });

  test('a hostile value withdrawn: the unit converges back to active, nonce still the first one', async () => {
    const w = world({ [PRINCIPAL]: { user: 'nova' } });
    await run(w, 'config-changed');
    const nonce = nonceOf(w);
    send(w, PRINCIPAL, { user: '$(id)' });
    await run(w, 'lxd-relation-changed');
    send(w, PRINCIPAL, { user: 'nova' });
    await run(w, 'lxd-relation-changed');
    expect(w.juju.unitStatus.status).toBe('active');
    expect(nonceOf(w)).toBe(nonce);
    expect(lxdGroup(w)).toEqual(['nova']);
  });
});
