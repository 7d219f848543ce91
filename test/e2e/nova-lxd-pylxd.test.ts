// nova-lxd's own path on charm-configured hosts: the PACKED charm beside the nova-compute stand-in on
// two namespace machines (real LXD 5.0.2 each), https-port=443, and the real pylxd (Debian's
// python3-pylxd 2.2.10) run AS nova making exactly nova-lxd's calls (helpers/nova-lxd-calls.py): a raw
// root tarball imported as an image, a container on the charm's pool created and started, stopped,
// moved to the peer by its host name on 443 with nova's default client certificate (verified against
// the pinned peer certificate, where upstream nova-lxd passes verify=False), and started there.
// Root only; under CI=true a missing requirement fails with the reason (helpers/requirements.ts).
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, Model } from 'juju-emulator';
import { ensurePackedCharm } from './helpers/packed-charm';
import { MACHINE_ENV, deployMesh, unitShell } from './helpers/units';
import { describeWith, file, lxcClient, lxdDaemon, root } from './helpers/requirements';

jest.setTimeout(900_000);

const PYTHON = '/usr/bin/python3';
const PYLXD = '/usr/lib/python3/dist-packages/pylxd/client.py';
const CALLS = readFileSync(path.join(__dirname, 'helpers', 'nova-lxd-calls.py'), 'utf8');
const POOL = 'novapool';
const NOVA_CONF = '/home/nova/.config/lxc';

const requirements = [
  root,
  lxdDaemon,
  lxcClient,
  file('pylxd', PYLXD, `pylxd for ${PYTHON}: the python3-pylxd deb, scripts/setup-host.sh installs it`),
  file('python', PYTHON, 'the python3 deb: scripts/setup-host.sh installs it'),
  file('busybox', '/bin/busybox', 'busybox-static, the image rootfs: scripts/setup-host.sh installs it'),
];

interface NovaResult {
  readonly error?: string;
  readonly message?: string;
  readonly status?: string;
  readonly root_pool?: string | null;
  readonly profiles?: string[];
  readonly home?: string;
  readonly default_cert?: string;
  readonly [key: string]: unknown;
}

describeWith(requirements, 'nova-lxd through pylxd, as nova, on the packed charm (https-port=443)', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'pylxd-e2e-'));
  let model: Model;
  const shell = unitShell(() => model);
  const { ok, lxdUnits } = shell;
  const hostnames = new Map<string, string>();
  const addresses = new Map<string, string>();
  let rootfs = '';

  const hostOf = (unit: string): string => hostnames.get(unit) ?? '?';
  /** one nova-lxd step as nova (its own HOME, so pylxd finds its default client certificate) */
  const nova = async (unit: string, args: readonly string[]): Promise<NovaResult> => {
    const r = await model.exec(unit, ['runuser', '-u', 'nova', '--', PYTHON, '-', ...args], { env: { ...MACHINE_ENV, HOME: '/home/nova' }, stdin: CALLS, timeoutMs: 300_000 });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let parsed: NovaResult;
    try {
      parsed = JSON.parse(last) as NovaResult;
    } catch {
      throw new Error(`${unit}: nova-lxd-calls ${args.join(' ')} → exit ${r.exitCode}, no JSON\n${r.stdout}\n${r.stderr}`);
    }
    console.log(`${unit} as nova: ${args[0] ?? ''} → ${last}`);
    return parsed;
  };
  const pinOf = (unit: string, peer: string): string => `${NOVA_CONF}/servercerts/${hostOf(peer)}.crt`;

  beforeAll(async () => {
    model = await Model.create({ name: `pylxd-e2e-${process.pid}`, backend: 'namespace', home });
    await deployMesh(model, ensurePackedCharm(), 2, shell, { 'https-port': 443, 'storage-pool': POOL });
    const peers = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd-migration');
    for (const unit of lxdUnits()) {
      hostnames.set(unit, (await ok(unit, 'hostname')).trim());
      addresses.set(unit, peers?.unitBags[unit]?.address ?? '?');
    }
    // glance's raw root-tar image: the busybox rootfs at the top of the tarball, no metadata.yaml
    const unified = await buildBusyboxImage(path.join(home, 'image'));
    const work = path.join(home, 'unpacked');
    rootfs = path.join(home, 'busybox-rootfs.tar.gz');
    await ok('lxd/0', `mkdir -p ${work} && tar -C ${work} -xzf ${unified} && tar -C ${work}/rootfs --numeric-owner -czf ${rootfs} . && rm -rf ${work}`);
    chmodSync(home, 0o755);
    chmodSync(rootfs, 0o644);
  });

  afterAll(async () => {
    await model?.destroy().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test('what nova-lxd dials resolves and answers: LXD on :443, the peer host name to its published address, the pin names it', async () => {
    const [a, b] = lxdUnits();
    expect([a, b]).toEqual(['lxd/0', 'lxd/1']);
    for (const [unit, peer] of [['lxd/0', 'lxd/1'], ['lxd/1', 'lxd/0']] as const) {
      expect(shell.statusOf(unit)).toEqual({ status: 'active', message: expect.stringContaining('1/1 peers wired') });
      expect((await ok(unit, 'lxc config get core.https_address')).trim()).toBe(`${addresses.get(unit) ?? '?'}:443`);
      expect((await ok(unit, `getent hosts ${hostOf(peer)}`)).trim().split(/\s+/)).toEqual([addresses.get(peer), hostOf(peer)]);
      expect(await ok(unit, `openssl x509 -noout -ext subjectAltName -in ${pinOf(unit, peer)}`)).toContain(`DNS:${hostOf(peer)}`);
    }
    expect(await ok('lxd/0', 'cat /etc/hosts')).toMatch(/# BEGIN lxd charm: lxd-migration peers[^\n]*\n\S+\t\S+\t# lxd\/1\n# END/);
    // nova's client: https://<host name>, no port, no cert (pylxd's default for the user), verify = the pin
    const probe = await nova('lxd/1', ['probe', hostOf('lxd/0'), pinOf('lxd/1', 'lxd/0')]);
    expect(probe).toMatchObject({ trusted: true, home: '/home/nova', default_cert: `${NOVA_CONF}/client.crt` });
    // the verification is real: the system CAs, or another host's certificate as the pin, are refused
    const unverified = { error: 'ClientConnectionFailed', cause: 'SSLError', detail: expect.stringContaining('certificate verify failed: self-signed certificate') };
    expect(await nova('lxd/1', ['probe', hostOf('lxd/0'), 'True'])).toMatchObject(unverified);
    expect(await nova('lxd/1', ['probe', hostOf('lxd/0'), '/var/lib/lxd/server.crt'])).toMatchObject(unverified);
    // and by IP address the pin verifies but the name check fails: LXD's certificate names the host, not the address
    expect(await nova('lxd/1', ['probe', addresses.get('lxd/0') ?? '?', pinOf('lxd/1', 'lxd/0')])).toMatchObject({ error: 'ClientConnectionFailed', cause: 'SSLError', detail: expect.stringMatching(/IP address mismatch|hostname|doesn't match/) });
  });

  test('spawn as nova: the raw root tarball becomes an image, the container is created with its root disk on the charm pool and starts', async () => {
    const relation = Object.values(model.state.relations).find((r) => r.key === 'lxd:lxd nova-compute:lxd' || r.key === 'nova-compute:lxd lxd:lxd');
    const pool = relation?.unitBags['lxd/0']?.pool;
    expect(pool).toBe(POOL); // what nova-compute writes to nova.conf [lxd] pool
    const spawned = await nova('lxd/0', ['spawn', rootfs, 'glance-image-1', 'instance-00000001', pool ?? '?']);
    expect(spawned).toMatchObject({ status: 'Running', root_pool: POOL, profiles: ['instance-00000001'], storage_type: 'dir', image: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await ok('lxd/0', `lxc storage volume list ${POOL} --format csv`)).toMatch(/container,instance-00000001/);
    expect(await ok('lxd/0', 'lxc image list --format csv -c l')).toContain('glance-image-1');
  });

  test('stopped, it moves to the peer through pylxd with nova\'s default certificate, verified against the pin, and starts there', async () => {
    expect(await nova('lxd/0', ['power-off', 'instance-00000001'])).toMatchObject({ status: 'Stopped' });
    const moved = await nova('lxd/1', ['finish-migration', hostOf('lxd/0'), 'instance-00000001', POOL, pinOf('lxd/1', 'lxd/0')]);
    expect(moved).toMatchObject({
      status: 'Running',
      // pylxd 2.2.10's generate_migration_data sends the profiles under the key "default", so LXD
      // gives the moved container its default profile, which the charm points at the same pool
      profiles: ['default'],
      root_pool: POOL,
      source_trusted: true,
      endpoint: `https://${hostOf('lxd/0')}/1.0`,
      client_cert: [`${NOVA_CONF}/client.crt`, `${NOVA_CONF}/client.key`],
    });
    expect(await ok('lxd/1', 'lxc list --format csv -c ns')).toContain('instance-00000001,RUNNING');
    expect(await ok('lxd/1', `lxc storage volume list ${POOL} --format csv`)).toMatch(/container,instance-00000001/);
    // confirm_migration on the source: upstream deletes the instance's profile while the container
    // still uses it, which LXD refuses; container first, then profile, the original goes
    expect(await nova('lxd/0', ['confirm-migration', 'instance-00000001'])).toMatchObject({ containers: [], upstream_order: expect.stringMatching(/in use/i) });
  });
});
