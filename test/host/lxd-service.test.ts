// Which init-system commands stop, start and check LXD, per packaging: the unit names are those of
// Debian's lxd deb (dpkg -L lxd: lxd.service, lxd.socket, lxd-containers.service) and the LXD snap.
import { lxdServiceCommands } from '../../src/host/lxd-service';

test("the deb: one systemctl transaction over the three units, lxd-containers' stop shutting instances down", () => {
  expect(lxdServiceCommands('distro')).toEqual({
    stop: ['systemctl', 'stop', 'lxd-containers.service', 'lxd.socket', 'lxd.service'],
    start: ['systemctl', 'start', 'lxd-containers.service', 'lxd.socket', 'lxd.service'],
    // the socket counts: while it listens, any client would start the daemon again
    isActive: ['systemctl', 'is-active', '--quiet', 'lxd.service', 'lxd.socket'],
    reload: ['systemctl', 'restart', 'lxd.service'],
    lxdDir: '/var/lib/lxd',
  });
});

test('the snap: snapd stops and starts it; systemd knows its units as snap.lxd.*', () => {
  expect(lxdServiceCommands('snap')).toEqual({
    stop: ['snap', 'stop', 'lxd'],
    start: ['snap', 'start', 'lxd'],
    isActive: ['systemctl', 'is-active', '--quiet', 'snap.lxd.daemon.service', 'snap.lxd.daemon.unix.socket'],
    // the LXD snap's reload restarts the daemon alone (its instances keep running): how criu.enable takes effect
    reload: ['systemctl', 'reload', 'snap.lxd.daemon'],
    lxdDir: '/var/snap/lxd/common/lxd',
  });
});
