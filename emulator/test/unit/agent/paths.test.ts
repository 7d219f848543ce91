import { unitPaths } from '../../../src/agent/paths';
import type { MachineRecord } from '../../../src/model/types';

function machineAt(backend: MachineRecord['backend'], hostRoot: string): MachineRecord {
  return { id: '0', backend, hostname: 'h', address: '10.0.0.2', cidr: '10.0.0.0/24', mounts: { '/var/lib/juju': hostRoot }, handles: {}, loopDevices: [], lxdPid: null };
}

test('a namespace machine sees Juju\'s paths; the host keeps them under the machine dir', () => {
  const paths = unitPaths(machineAt('namespace', '/m/0/fs/var-lib-juju'), 'lxd/0');
  expect(paths).toMatchObject({
    guestCharmDir: '/var/lib/juju/agents/unit-lxd-0/charm',
    hostCharmDir: '/m/0/fs/var-lib-juju/agents/unit-lxd-0/charm',
    guestToolsDir: '/var/lib/juju/tools/unit-lxd-0',
    guestSocket: '/var/lib/juju/agents/unit-lxd-0/agent.socket',
    listenSocket: '/m/0/fs/var-lib-juju/agents/unit-lxd-0/agent.socket',
  });
});

test('a socket path too long for sun_path is served from a short path', () => {
  const long = `/${'x'.repeat(90)}/fs/var-lib-juju`;
  const ns = unitPaths(machineAt('namespace', long), 'test-subordinate/10');
  expect(ns.listenSocket).toMatch(/^\/run\/juju-emulator\/[0-9a-f]{20}\.sock$/);
  expect(ns.guestSocket).toBe('/var/lib/juju/agents/unit-test-subordinate-10/agent.socket');
  const local = unitPaths(machineAt('local', long), 'test-subordinate/10');
  expect(local.guestSocket).toBe(local.listenSocket);
  expect(local.guestCharmDir).toBe(`${long}/agents/unit-test-subordinate-10/charm`);
});
