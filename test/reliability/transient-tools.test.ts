// Transient hook-tool failures, unit level: what the charm reads from a failed tool is never taken for
// an answer (the real-LXD cases are in faults.test.ts).
import { HookToolError, type NetworkInfo } from '../../src/juju/hook-tools';
import { readBinding } from '../../src/juju/bind-address';

const failing = (stderr: string) => ({
  networkGet: async (): Promise<NetworkInfo> => {
    throw new HookToolError('network-get', 1, stderr);
  },
});

describe('transient hook-tool failures', () => {
  test('network-get whose agent connection dropped: the binding is unknown, never "listen on all addresses"', async () => {
    expect(await readBinding(failing('ERROR connection is shut down\n'))).toEqual({ known: false, problem: expect.stringContaining('listener is left as it is') });
  });
});
