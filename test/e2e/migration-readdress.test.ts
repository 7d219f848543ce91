// A unit's machine changes address (issue 4: "changing a unit's address updates the remotes"), on the
// PACKED charm (build/lxd.charm, `npm run pack`) on the emulator: three namespace machines with real
// LXD 5.0.2 and the nova-compute stand-in. The emulator re-addresses machine 1 as Juju sees it: every
// unit there gets config-changed, network-get answers the new address, and the relation address keys
// follow when that hook commits. Then lxd/1 must listen on its new address and every peer must point
// root's and nova's remote for it there, still pinned to the same certificate; nothing else moves. Root only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Model } from 'juju-emulator';
import { deployMesh, unitShell } from './helpers/units';
import { describeWith, packedCharmOnEmulator } from './helpers/requirements';

jest.setTimeout(1_500_000);

const root = path.join(__dirname, '..', '..');
const charm = path.join(root, 'build', 'lxd.charm');
const USERS = ['root', 'nova'] as const;
const PORT = 8443;

interface Remote {
  readonly Addr: string;
  readonly Protocol?: string;
  readonly AuthType?: string;
}

/** what one user on one unit has: its remotes, and the fingerprint of each pinned server certificate */
interface ClientView {
  readonly remotes: Record<string, Remote>;
  readonly pinned: Record<string, string>;
}

describeWith(packedCharmOnEmulator, 'a unit whose address changes, on the packed charm with real LXD', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'readdr-e2e-'));
  let model: Model | undefined;
  const hostnames = new Map<string, string>();

  const live = (): Model => {
    if (!model) throw new Error('the model was not created');
    return model;
  };
  const shell = unitShell(live);
  const { ok, settle, lxdUnits, statusOf } = shell;
  const fingerprint = async (unit: string, file: string): Promise<string> => (await ok(unit, `openssl x509 -noout -fingerprint -sha256 -in ${file}`)).trim();
  const clientView = async (unit: string, user: string): Promise<ClientView> => {
    const remotes = JSON.parse(await ok(unit, 'lxc remote list --format json', user)) as Record<string, Remote>;
    const dir = user === 'root' ? '/root/.config/lxc' : `/home/${user}/.config/lxc`;
    const pinned: Record<string, string> = {};
    for (const peer of lxdUnits().filter((u) => u !== unit)) {
      const name = hostnames.get(peer) ?? '?';
      pinned[name] = await fingerprint(unit, `${dir}/servercerts/${name}.crt`);
    }
    return { remotes, pinned };
  };
  /** every unit's and user's remotes and pins, keyed "lxd/0 nova" */
  const allViews = async (): Promise<Map<string, ClientView>> => {
    const views = new Map<string, ClientView>();
    for (const unit of lxdUnits()) for (const user of USERS) views.set(`${unit} ${user}`, await clientView(unit, user));
    return views;
  };
  const trustNames = async (unit: string): Promise<string[]> =>
    (await ok(unit, 'lxc config trust list --format csv')).split('\n').filter(Boolean).map((l) => l.split(',')[1] ?? '').sort();
  const addressOf = (unit: string): string => {
    const machine = live().state.machines[live().state.units[unit]?.machine ?? ''];
    if (!machine) throw new Error(`no machine for ${unit}`);
    return machine.address;
  };

  beforeAll(async () => {
    model = await Model.create({ name: `readdr-e2e-${process.pid}`, backend: 'namespace', home });
    await deployMesh(model, charm, 3, shell);
    for (const unit of lxdUnits()) hostnames.set(unit, (await ok(unit, 'hostname')).trim());
  });

  afterAll(async () => {
    try {
      await model?.destroy();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('after a new address for unit 1, its LXD listens there and every peer remote for it follows, pinned as before; nothing else changes', async () => {
    const moved = 'lxd/1';
    const movedHost = hostnames.get(moved) ?? '?';
    const oldAddress = addressOf(moved);
    for (const unit of lxdUnits()) expect(statusOf(unit)).toEqual({ status: 'active', message: expect.stringContaining('2/2 peers wired') });
    const before = await allViews();
    const trustBefore = new Map<string, string[]>();
    for (const unit of lxdUnits()) trustBefore.set(unit, await trustNames(unit));
    const servedCert = await fingerprint(moved, '/var/lib/lxd/server.crt');
    for (const unit of lxdUnits().filter((u) => u !== moved)) {
      for (const user of USERS) expect(before.get(`${unit} ${user}`)?.remotes[movedHost]?.Addr).toBe(`https://${oldAddress}:${PORT}`);
    }

    const machineId = live().state.units[moved]?.machine ?? '?';
    const newAddress = await live().changeMachineAddress(machineId);
    expect(newAddress).not.toBe(oldAddress);
    expect((await ok(moved, 'ip -4 -o addr show dev eth0')).split('\n').filter(Boolean)).toEqual([expect.stringContaining(` ${newAddress}/`)]);
    const started = Date.now();
    const hooks = await settle();
    console.log(`re-addressed ${moved} ${oldAddress} → ${newAddress}: settled in ${((Date.now() - started) / 1000).toFixed(1)} s, ${hooks} hooks`);

    // Juju's side, as the emulator plays it: the unit's peer record carries the new address
    const peers = Object.values(live().state.relations).find((r) => r.key === 'lxd:lxd-migration');
    expect(peers?.unitBags[moved]).toMatchObject({ 'ingress-address': newAddress, 'private-address': newAddress, 'egress-subnets': `${newAddress}/32` });

    // the moved unit listens on its new address
    expect((await ok(moved, 'lxc config get core.https_address')).trim()).toBe(`${newAddress}:${PORT}`);
    expect(await ok(moved, 'ss -Hltn')).toContain(`${newAddress}:${PORT}`);

    const after = await allViews();
    for (const unit of lxdUnits()) {
      expect(statusOf(unit)).toEqual({ status: 'active', message: expect.stringContaining('2/2 peers wired') });
      for (const user of USERS) {
        const was = before.get(`${unit} ${user}`);
        const now = after.get(`${unit} ${user}`);
        if (unit === moved) {
          // its own remotes to the others did not move
          expect(now).toEqual(was);
          continue;
        }
        // the remote for the moved unit: new URL, same pinned certificate (the one lxd/1 serves)
        expect(now?.remotes[movedHost]).toEqual({ ...was?.remotes[movedHost], Addr: `https://${newAddress}:${PORT}` });
        expect(now?.pinned[movedHost]).toBe(was?.pinned[movedHost]);
        expect(now?.pinned[movedHost]).toBe(servedCert);
        expect(await ok(unit, `lxc info ${movedHost}: | grep -c server_name`, user)).toMatch(/1/);
        // every other remote and pin is exactly as it was
        const others = (view: ClientView | undefined) => ({
          remotes: Object.fromEntries(Object.entries(view?.remotes ?? {}).filter(([name]) => name !== movedHost)),
          pinned: Object.fromEntries(Object.entries(view?.pinned ?? {}).filter(([name]) => name !== movedHost)),
        });
        expect(others(now)).toEqual(others(was));
      }
      // trust is about certificates, not addresses: nobody trusts or forgets anyone
      expect(await trustNames(unit)).toEqual(trustBefore.get(unit));
    }
  });
});
