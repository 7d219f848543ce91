import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeProblems, parseConfig, parseSize, type CharmConfig } from '../../src/model/config';
import schema from '../../src/model/config-schema.json';

const ok = (values: Record<string, string | number | boolean>): CharmConfig => {
  const result = parseConfig(values);
  if (!result.ok) throw new Error(describeProblems(result.problems));
  return result.config;
};

describe('parseConfig', () => {
  test('defaults alone give a working lvm host', () => {
    expect(ok({})).toEqual({
      install: { source: 'auto', snapChannel: '5.21/stable', criu: false },
      storage: { type: 'lvm', pool: 'lxd', devices: [], overwrite: false, volumeGroup: 'lxd_vg', thinpool: true, ephemeralUnmount: null },
      network: { bridge: 'lxdbr0', ipv4: 'auto', ipv6: 'none', nat: true, mtu: 1500 },
      httpsPort: 8443,
      trustPassword: null,
      ext4Userns: true,
      kernel: { sysctlTuning: true, hardening: true },
      preseed: { config: {}, objects: [] },
    });
  });

  test('block-devices: every device is kept, loop files get their size (10G by default)', () => {
    expect(ok({ 'block-devices': ' /dev/vdb  /var/lib/a.img|2G /var/lib/b.img| ' }).storage.devices).toEqual([
      { kind: 'device', spec: '/dev/vdb', path: '/dev/vdb' },
      { kind: 'loop', spec: '/var/lib/a.img|2G', path: '/var/lib/a.img', sizeBytes: 2 * 1024 ** 3 },
      { kind: 'loop', spec: '/var/lib/b.img|', path: '/var/lib/b.img', sizeBytes: 10 * 1024 ** 3 },
    ]);
  });

  test.each([
    ['storage-type', 'ceph', 'storage-type must be one of lvm, btrfs, zfs, dir'],
    ['bridge-mtu', 100, 'bridge-mtu must be >= 576'],
    ['https-port', 70000, 'https-port must be <= 65535'],
    ['bridge-ipv4', '10.0.0.300/24', 'bridge-ipv4 "10.0.0.300/24" is not auto, none or a valid IPv4 address/prefix'],
    ['bridge-ipv4', 'dhcp', 'bridge-ipv4 has an invalid format'],
    ['bridge-ipv6', 'fd42::1/129', 'bridge-ipv6 "fd42::1/129" is not auto, none or a valid IPv6 address/prefix'],
    ['bridge-name', 'a-bridge-name-too-long', 'bridge-name has an invalid format'],
    ['block-devices', 'vdb', 'block-devices "vdb" is not an absolute device path or path|size'],
    ['block-devices', '/x.img|lots', 'block-devices "/x.img|lots": size must be like 10G and at least 64M'],
    ['block-devices', '/dev/vdb /dev/vdb', 'block-devices /dev/vdb is listed twice'],
    ['source', 'ppa:ubuntu-lxc/lxd-stable', 'source has an invalid format'],
    ['use-source', true, 'use-source is not supported (must be false)'],
    ['overwrite', 'yes', 'overwrite must be boolean'],
  ])('%s=%p is refused: "%s"', (option, value, message) => {
    const result = parseConfig({ [option]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => `${p.option} ${p.message}`)).toEqual([message]);
  });

  test('every invalid option is reported together, in one blocked message', () => {
    const result = parseConfig({ 'storage-type': 'ceph', 'bridge-mtu': 1, 'https-port': 0, 'bridge-ipv4': 'x', 'block-devices': 'rel' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.option).sort()).toEqual(['block-devices', 'bridge-ipv4', 'bridge-mtu', 'https-port', 'storage-type']);
    expect(describeProblems(result.problems)).toBe(
      "invalid config: storage-type must be one of lvm, btrfs, zfs, dir; bridge-ipv4 has an invalid format; bridge-mtu must be >= 576; https-port must be >= 1; block-devices \"rel\" is not an absolute device path or path|size",
    );
  });

  test.each([
    ['btrfs', '/dev/vdb /dev/vdc', 'block-devices storage-type btrfs takes at most one device (lvm spans several)'],
    ['dir', '/dev/vdb', 'block-devices storage-type dir uses no block devices'],
  ])('storage-type %s with %s is refused', (type, devices, message) => {
    const result = parseConfig({ 'storage-type': type, 'block-devices': devices });
    expect(result.ok ? [] : result.problems.map((p) => `${p.option} ${p.message}`)).toEqual([message]);
  });

  test('concrete bridge addresses and a configured trust password are kept', () => {
    const cfg = ok({ 'bridge-ipv4': '10.9.0.1/24', 'bridge-ipv6': 'fd42:1::1/64', 'trust-password': 's3cret-value' });
    expect(cfg.network.ipv4).toEqual({ cidr: '10.9.0.1/24' });
    expect(cfg.network.ipv6).toEqual({ cidr: 'fd42:1::1/64' });
    expect(cfg.trustPassword).toBe('s3cret-value');
  });
});

test.each([
  ['10G', 10 * 1024 ** 3],
  ['512M', 512 * 1024 ** 2],
  ['1.5T', 1.5 * 1024 ** 4],
  ['20GiB', 20 * 1024 ** 3],
  ['x', null],
])('parseSize(%s) = %p', (text, bytes) => expect(parseSize(text)).toBe(bytes));

test('config.yaml declares exactly the schema options, with the same defaults', () => {
  const yaml = parseYaml(readFileSync(join(__dirname, '../../config.yaml'), 'utf8')) as { options: Record<string, { type: string; default: unknown }> };
  const props = schema.properties as Record<string, { default: unknown }>;
  expect(Object.keys(yaml.options).sort()).toEqual(Object.keys(props).sort());
  for (const [name, option] of Object.entries(yaml.options)) expect([name, option.default]).toEqual([name, props[name]?.default]);
});

