// Transient hook-tool failures, unit level: what the charm reads from a failed tool is never taken for
// an answer (the real-LXD cases are in faults.test.ts).
import { HookToolError, type NetworkInfo } from '../../src/juju/hook-tools';
import { bindAddress } from '../../src/juju/bind-address';

const failing = (stderr: string) => ({
  networkGet: async (): Promise<NetworkInfo> => {
    throw new HookToolError('network-get', 1, stderr);
  },
});

describe('transient hook-tool failures', () => {
  test('network-get whose agent connection dropped fails the hook: the listener is not re-pointed to all addresses', async () => {
    await expect(bindAddress(failing('ERROR connection is shut down\n'))).rejects.toThrow('connection is shut down');
  });

  test("network-get's own 'no binding' answer still means: listen on all addresses", async () => {
    expect(await bindAddress(failing('ERROR no network config found for binding "lxd-migration"\n'))).toBeNull();
  });
});
