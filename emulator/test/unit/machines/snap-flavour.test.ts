// The snap-shaped flavour's pure parts: its mount view (no /var/lib/lxd, /var/snap and snapd's state
// private, the host's /var/lib shown entry by entry), its systemctl units and daemon environment, and
// the version rule for snapd's homedirs option. The scripts themselves run for real in
// emulator/test/e2e/snap-shim.test.ts and on snap-shaped machines in emulator/test/e2e/snap-machine.test.ts.
import { mountViewPaths, PRIVATE_DIRS, SNAP_PRIVATE_DIRS, setupScript } from '../../../src/machines/mount-view';
import { namespaceMachineRecord } from '../../../src/machines/machine-record';
import { shimSettings, systemctlScript, unitsOf } from '../../../src/machines/service-shim';
import { HOME_REFUSAL, initialSnapdState, lxcWrapperScript, snapScript, SNAP_LXD_DIR, versionAtLeast } from '../../../src/machines/snap-flavour';

test('a snap-shaped machine has no private /var/lib/lxd but its own /var/lib, /var/snap and snapd state', () => {
  const paths = mountViewPaths('/m/0', 'snap');
  expect(Object.keys(paths.mounts).sort()).toEqual([...SNAP_PRIVATE_DIRS].sort());
  expect(paths.mounts).not.toHaveProperty('/var/lib/lxd');
  expect(paths.varLib).toBe('/m/0/fs/var-lib');
  const script = setupScript(paths, 'h0');
  // the host's entries are bound in before the private tree covers /var/lib; lxd is not among them
  expect(script).toMatch(/case "\$name" in lxd\|snapd\|juju\|nova\|lxd-charm\) continue/);
  expect(script.indexOf(`mount --rbind "$PRIV" /var/lib`)).toBeLessThan(script.indexOf(`mount --bind '/m/0/fs/var-lib-juju' '/var/lib/juju'`));
  expect(script.indexOf('/etc')).toBeLessThan(script.indexOf('PRIV='));
  // deb machines are as before, plus nova's home
  const deb = mountViewPaths('/m/0');
  expect(deb.varLib).toBeNull();
  expect(Object.keys(deb.mounts).sort()).toEqual([...PRIVATE_DIRS].sort());
  expect(PRIVATE_DIRS).toContain('/var/lib/nova');
  expect(setupScript(deb, 'h0')).not.toContain('PRIV=');
});

test('the record of a snap-shaped machine says so and maps its whole /var/lib (loop files found there)', () => {
  const record = namespaceMachineRecord('m', '0', '/m/0', 'snap');
  expect(record.lxdPackaging).toBe('snap');
  expect(record.mounts['/var/lib']).toBe('/m/0/fs/var-lib');
  expect(namespaceMachineRecord('m', '0', '/m/0').lxdPackaging).toBe('deb');
});

test("the snap machine's systemctl knows snap.lxd.daemon's units, reload, and runs the daemon with the snap's LXD_DIR", () => {
  const settings = shimSettings('/m/0', '/usr/bin/lxd', 'snap');
  expect(settings.daemonEnv.LXD_DIR).toBe(SNAP_LXD_DIR);
  expect(settings.daemonLog).toBe(`${SNAP_LXD_DIR}/logs/lxd.log`);
  expect(unitsOf('snap')).toEqual(['snap.lxd.daemon.service', 'snap.lxd.daemon.unix.socket']);
  const script = systemctlScript(settings);
  expect(script).toContain(`export LXD_DIR='${SNAP_LXD_DIR}'`);
  expect(script).toContain('case "$1" in snap.lxd.daemon.service|snap.lxd.daemon.unix.socket) return 0');
  expect(script).toContain('start|stop|restart|is-active|status|enable|disable|is-enabled|reload)');
  expect(script).toContain(`--logfile ${SNAP_LXD_DIR}/logs/lxd.log`);
  expect(script).toContain('  reload) stop_daemon term && start_daemon ;;');
  expect(systemctlScript(shimSettings('/m/0', '/usr/bin/lxd'))).not.toContain('  reload) stop_daemon');
});

test("snapd's homedirs option exists from 2.59; versions compare number by number", () => {
  expect(versionAtLeast('2.59', '2.59')).toBe(true);
  expect(versionAtLeast('2.63.1', '2.59')).toBe(true);
  expect(versionAtLeast('2.58.3', '2.59')).toBe(false);
  expect(versionAtLeast('2.100', '2.59')).toBe(true);
  expect(versionAtLeast('3', '2.59')).toBe(true);
});

test("initial snapd state: the version, and the lxd snap's channel when LXD is preinstalled", () => {
  expect(initialSnapdState({ snapdVersion: '2.58', lxdChannel: null })).toEqual({ 'jemu/snapd-version': '2.58\n' });
  expect(initialSnapdState({ snapdVersion: '2.63', lxdChannel: '5.21/stable' })).toMatchObject({ 'jemu/lxd-channel': '5.21/stable\n', 'jemu/lxd-revision': '1\n' });
});

test("the lxc wrapper carries snap-confine's exact refusal and the snap's LXD_CONF", () => {
  const script = lxcWrapperScript();
  expect(script).toContain(HOME_REFUSAL.split('\n')[0]);
  expect(script).toContain('LXD_CONF="$SNAP_USER_COMMON/config"');
  expect(script).toContain('exec "$LXC" "$@"');
  expect(snapScript()).toContain("STATE='/var/lib/snapd/jemu'");
});

test('local machines refuse to be snap-shaped (they share the host), before making anything', async () => {
  const { LocalMachines } = await import('../../../src/machines/local');
  await expect(new LocalMachines().create({ modelName: 'm', modelDir: '/nonexistent/model', id: '0', loopDevices: 0, loopSizeGiB: 1, lxd: false, lxdPackaging: 'snap' })).rejects.toThrow(
    /cannot be snap-shaped/,
  );
});
