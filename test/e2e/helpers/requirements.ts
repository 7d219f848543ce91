// The charm's end-to-end requirements over the emulator's shared helper (emulator/test/support/
// requirements.ts): under CI=true a test that cannot run fails with the reason instead of skipping.
import { existsSync } from 'node:fs';
import { file, lxcClient, root, type Requirement } from '../../../emulator/test/support/requirements';
import { packedCharm } from './packed-charm';

export { checkRequirements, describeWith, file, lxcClient, lxdDaemon, root, slowAllowed, testWith, unmetReasons, type Requirement } from '../../../emulator/test/support/requirements';

export const packed: Requirement = { id: 'charm', missing: `${packedCharm} is missing (run npm run pack first)`, met: () => existsSync(packedCharm) };
export const lvmTools = file('lvm', '/usr/sbin/vgcreate', 'the lvm2 deb: bash scripts/setup-host.sh installs it');
export const lvmReports = file('lvm', '/usr/sbin/vgs', 'the lvm2 deb: bash scripts/setup-host.sh installs it');

/** what the packed charm on the emulator needs: root, the charm, lxc on the host */
export const packedCharmOnEmulator: readonly Requirement[] = [root, packed, lxcClient];
