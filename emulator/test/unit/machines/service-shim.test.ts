// The systemctl shim's pure parts: where it goes, what it is told, how a machine mounts it.
// Its behaviour (verbs, exit codes, detached daemon) is proven on real processes in
// emulator/test/e2e/service-shim.test.ts.
import { NSENTER } from '../../../src/machines/enter';
import { shellQuote } from '../../../src/machines/mount-view';
import { LXD_UNITS, SHIM_GUEST_DIR, shimDirOf, shimMountArgv, shimSettings, systemctlScript } from '../../../src/machines/service-shim';

const settings = shimSettings("/var/tmp/model x/machines/0's", '/usr/bin/lxd');

test('the shim keeps the daemon pid where stopLxd and the teardown read it', () => {
  expect(settings.pidFile).toBe("/var/tmp/model x/machines/0's/lxd.pid");
  expect(settings.outputLog).toBe("/var/tmp/model x/machines/0's/lxd.stdout.log");
  expect(shimDirOf('/m/0')).toBe('/m/0/service-shim');
});

test('paths with spaces and quotes reach the script as single shell words', () => {
  const script = systemctlScript(settings);
  expect(script.startsWith('#!/bin/sh\n')).toBe(true);
  expect(script).toContain(`PIDFILE=${shellQuote(settings.pidFile)}\n`);
  expect(shellQuote(settings.pidFile)).toBe(`'/var/tmp/model x/machines/0'\\''s/lxd.pid'`);
  expect(script).toContain("LXD='/usr/bin/lxd'\n");
});

test('the daemon gets the emulator root environment, not the hook environment', () => {
  const script = systemctlScript({ ...settings, daemonEnv: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  expect(script).toContain(`env -i 'PATH=/usr/bin:/bin' 'LANG=C.UTF-8' "$LXD" --group lxd --logfile /var/log/lxd/lxd.log`);
  expect(script).not.toContain('JUJU_');
});

test("it knows exactly the units of Debian's lxd deb", () => {
  expect([...LXD_UNITS].sort()).toEqual(['lxd-containers.service', 'lxd.service', 'lxd.socket']);
  expect(systemctlScript(settings)).toContain('case "$1" in lxd.service|lxd.socket|lxd-containers.service) return 0 ;; esac');
});

test('the bind mount happens in the machine mount namespace only, over the hook PATH directory', () => {
  expect(SHIM_GUEST_DIR).toBe('/usr/local/sbin');
  expect(shimMountArgv('/m/0/ns/mnt', '/m/0/service-shim')).toEqual([NSENTER, '--mount=/m/0/ns/mnt', '--', 'mount', '--bind', '/m/0/service-shim', '/usr/local/sbin']);
});
