import { buildModel, contextFor, err, ok } from './builders';

describe('config-get', () => {
  it('merges charm defaults with set values, keeping types; nulls only with --all', () => {
    const state = buildModel();
    state.applications.lxd!.config = { 'storage-type': 'lvm', 'pool-size': 20 };
    const { run } = contextFor(state, 'lxd/0');
    expect(ok(run('config-get', '--format=json'))).toBe('{"overwrite":false,"pool-size":20,"storage-type":"lvm"}\n');
    expect(ok(run('config-get', '--all', '--format', 'json'))).toBe('{"block-devices":null,"overwrite":false,"pool-size":20,"storage-type":"lvm"}\n');
    expect(ok(run('config-get'))).toBe('overwrite: false\npool-size: 20\nstorage-type: lvm\n');
  });

  it('prints one key: smart bool as False; unknown key prints nothing (json null), exit 0', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(ok(run('config-get', 'overwrite'))).toBe('False\n');
    expect(ok(run('config-get', 'storage-type'))).toBe('btrfs\n');
    expect(ok(run('config-get', 'nope'))).toBe('');
    expect(ok(run('config-get', 'nope', '--format=json'))).toBe('null\n');
  });

  it('refuses a key together with --all (exit 2)', () => {
    const { run } = contextFor(buildModel(), 'lxd/0');
    expect(err(run('config-get', 'overwrite', '--all'))).toEqual([2, 'ERROR cannot use argument --all together with key "overwrite"\n']);
  });
});

describe('unit-get, network-get, is-leader', () => {
  it('unit-get answers from the unit machine and validates its argument', () => {
    const { run } = contextFor(buildModel(), 'lxd/1');
    expect(ok(run('unit-get', 'private-address'))).toBe('10.0.0.11\n');
    expect(ok(run('unit-get', 'public-address', '--format=json'))).toBe('"10.0.0.11"\n');
    expect(err(run('unit-get'))).toEqual([2, 'ERROR no setting specified\n']);
    expect(err(run('unit-get', 'x'))).toEqual([2, 'ERROR unknown setting "x"\n']);
  });

  it('network-get prints bind addresses, egress subnets and ingress addresses', () => {
    const { run } = contextFor(buildModel(), 'lxd/1');
    const info = JSON.parse(ok(run('network-get', 'lxd-migration', '--format=json')));
    expect(info).toEqual({
      'bind-addresses': [{ 'mac-address': '00:16:3e:00:00:0b', 'interface-name': 'eth0', addresses: [{ hostname: '', value: '10.0.0.11', cidr: '10.0.0.0/24' }] }],
      'egress-subnets': ['10.0.0.11/32'],
      'ingress-addresses': ['10.0.0.11'],
    });
    expect(ok(run('network-get', 'lxd', '--ingress-address'))).toBe('10.0.0.11\n');
    expect(ok(run('network-get', 'lxd', '--egress-subnets', '--format=json'))).toBe('["10.0.0.11/32"]\n');
    expect(JSON.parse(ok(run('network-get', 'lxd', '--bind-address', '--ingress-address', '--format=json')))).toEqual({
      'bind-address': '10.0.0.11',
      'ingress-address': '10.0.0.11',
    });
    expect(ok(run('network-get', 'lxd'))).toContain('macaddress: 00:16:3e:00:00:0b');
  });

  it('network-get errors: no binding (2), unknown binding (1)', () => {
    const { run } = contextFor(buildModel(), 'lxd/1');
    expect(err(run('network-get'))).toEqual([2, 'ERROR no arguments specified\n']);
    expect(err(run('network-get', 'nope'))).toEqual([1, 'ERROR no network config found for binding "nope"\n']);
  });

  it('is-leader prints True/False and json true/false', () => {
    const state = buildModel();
    expect(ok(contextFor(state, 'lxd/0').run('is-leader'))).toBe('True\n');
    expect(ok(contextFor(state, 'lxd/1').run('is-leader'))).toBe('False\n');
    expect(ok(contextFor(state, 'lxd/1').run('is-leader', '--format=json'))).toBe('false\n');
  });
});
