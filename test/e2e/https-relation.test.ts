// The https relation (interface lxd-https) end to end: the PACKED charm beside the nova-compute stand-in
// on a namespace machine with its own real LXD daemon, and a small client charm (test/charms/https-client,
// shell hooks) on another machine. The client publishes its certificate; the lxd unit trusts it and
// publishes its address and certificate; the client then calls LXD's API over HTTPS with its key and
// gets in. Projects restrict it; after remove-relation the same call is refused. Hooks run again change
// nothing. Root only; the model is destroyed in afterAll, also on failure.
import path from 'node:path';
import { builtinCharm, Model } from 'juju-emulator';
import { ensurePackedCharm, repoRoot } from './helpers/packed-charm';
import { describeWith, file, packedCharmOnEmulator } from './helpers/requirements';
import { unitShell } from './helpers/units';
import { modelHome } from './helpers/model-home';

jest.setTimeout(600_000);

const curl = file('curl', '/usr/bin/curl', 'the curl deb: bash scripts/setup-host.sh installs it');
const openssl = file('openssl', '/usr/bin/openssl', 'the openssl deb: bash scripts/setup-host.sh installs it');
const CLIENT_CHARM = path.join(repoRoot, 'test', 'charms', 'https-client');
/** the client unit's charm directory on its machine, where its hooks keep its key and what lxd/0 published */
const CLIENT_DIR = '/var/lib/juju/agents/unit-https-client-0/charm';
/** what the charm logs for a change of the https relation (juju-log lines: "INFO unit.lxd/0.juju-log https:3: trust …") */
const HTTPS_CHANGE = /INFO \S+ (?:[\w-]+:\d+: )?(trust juju-relation|revoke juju-relation|publish this unit|note the https)/;

describeWith([...packedCharmOnEmulator, curl, openssl], 'the https relation of the packed charm on real LXD', () => {
  const home = modelHome('https-e2e-', () => model);
  let model: Model;
  let charm = '';
  const shell = unitShell(() => model);
  const lxd = 'lxd/0';
  const client = 'https-client/0';

  const callApi = async (project = 'default'): Promise<string> => {
    const action = await model.run(client, 'call-api', { project });
    expect(action.status).toBe('completed');
    return String(action.results.code);
  };
  const trust = async (): Promise<Array<{ name: string; restricted: boolean; projects: string[] }>> =>
    (JSON.parse(await shell.ok(lxd, 'lxc query /1.0/certificates?recursion=1')) as Array<{ name: string; restricted: boolean; projects: string[] | null }>)
      .filter((c) => c.name.startsWith('juju-relation-'))
      .map((c) => ({ name: c.name, restricted: c.restricted, projects: c.projects ?? [] }));
  const logSince = (unit: string, mark: number): string => model.debugLog(unit).slice(mark);

  beforeAll(async () => {
    charm = ensurePackedCharm();
    model = await Model.create({ name: `https-${process.pid}`, backend: 'namespace', home });
    await model.deploy('nova-compute', builtinCharm('nova-compute'), { units: 1, machineOptions: { lxd: true, loopDevices: 0 } });
    await model.deploy('lxd', charm, { config: { 'storage-type': 'dir', 'bridge-ipv4': '10.232.7.1/24' } });
    model.relate('lxd', 'nova-compute');
    await model.deploy('https-client', CLIENT_CHARM, { units: 1, machineOptions: { lxd: false, loopDevices: 0 } });
    await shell.settle();
    await shell.ok(lxd, 'lxc project create other');
  }, 600_000);


  test('the client calls the API with its certificate once related; a second run changes nothing; after remove-relation it is refused', async () => {
    expect(shell.statusOf(lxd)).toMatchObject({ status: 'active' });
    const related = model.debugLog(lxd).length;
    model.relate('lxd:https', 'https-client:https');
    await shell.settle();
    expect(logSince(lxd, related)).toMatch(HTTPS_CHANGE); // the pattern the no-change run below must not match
    expect(await trust()).toEqual([{ name: `juju-relation-${client}`, restricted: false, projects: [] }]);
    // the client's own -changed hook made the call as soon as the lxd unit published
    const calls = await shell.ok(client, `cat ${CLIENT_DIR}/api-calls.log`);
    expect(calls.trim().split('\n').pop()).toBe(`${lxd} 200`);
    expect(await callApi()).toBe('200');
    expect(await callApi('other')).toBe('200');
    const address = (await shell.ok(client, `cat ${CLIENT_DIR}/server.address`)).trim();
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+:8443$/);

    // the same hooks again: nothing trusted, revoked or published anew
    const mark = model.debugLog(lxd).length;
    model.upgrade('lxd', charm);
    await shell.settle();
    expect(logSince(lxd, mark)).not.toMatch(HTTPS_CHANGE);

    model.unrelate('lxd:https', 'https-client:https');
    await shell.settle();
    expect(await trust()).toEqual([]);
    expect(await callApi()).toBe('403');
  });

  test('projects restrict the certificate: its project answers, another is refused; a bad value changes nothing', async () => {
    model.config('https-client', { projects: 'default' });
    model.relate('lxd:https', 'https-client:https');
    await shell.settle();
    expect(await trust()).toEqual([{ name: `juju-relation-${client}`, restricted: true, projects: ['default'] }]);
    expect(await callApi('default')).toBe('200');
    expect(await callApi('other')).toBe('403');

    const mark = model.debugLog(lxd).length;
    model.config('https-client', { projects: 'default,../etc' });
    await shell.settle();
    expect(logSince(lxd, mark)).toMatch(/WARNING \S+ (?:[\w-]+:\d+: )?refused relation https:\d+ data from https-client\/0: key "projects" "\.\.\/etc" is not an LXD project name; its trust in LXD is left as it is/);
    expect(logSince(lxd, mark)).not.toMatch(HTTPS_CHANGE);
    expect(await trust()).toEqual([{ name: `juju-relation-${client}`, restricted: true, projects: ['default'] }]);

    model.config('https-client', { projects: 'other' });
    await shell.settle();
    expect(await trust()).toEqual([{ name: `juju-relation-${client}`, restricted: true, projects: ['other'] }]);
    expect(await callApi('other')).toBe('200');
    expect(await callApi('default')).toBe('403');

    model.unrelate('lxd:https', 'https-client:https');
    await shell.settle();
    expect(await trust()).toEqual([]);
    expect(await callApi('other')).toBe('403');
  });

  test('a project LXD does not have: logged naming the unit and the key, nothing trusted, the unit stays active; trusted once it exists', async () => {
    const mark = model.debugLog(lxd).length;
    model.config('https-client', { projects: 'later' });
    model.relate('lxd:https', 'https-client:https');
    await shell.settle();
    expect(logSince(lxd, mark)).toMatch(/INFO \S+ (?:[\w-]+:\d+: )?refused relation https:\d+ data from https-client\/0: key "projects" names later, which LXD does not have; its trust in LXD is left as it is/);
    expect(await trust()).toEqual([]);
    expect(shell.statusOf(lxd)).toMatchObject({ status: 'active' });

    await shell.ok(lxd, 'lxc project create later');
    model.upgrade('lxd', charm);
    await shell.settle();
    expect(await trust()).toEqual([{ name: `juju-relation-${client}`, restricted: true, projects: ['later'] }]);
    expect(await callApi('later')).toBe('200');

    model.unrelate('lxd:https', 'https-client:https');
    await shell.settle();
    expect(await trust()).toEqual([]);
  });
});
