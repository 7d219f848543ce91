// install: LXD from the distro (Debian's native deb) or the snap (Ubuntu), plus the storage and
// migration tools; a no-op when everything is present. Package failures block, naming the package.
import type { Host } from '../host/host';
import { PackageError, SnapdError } from '../host/host';
import { packagesFor, type LxdPackaging } from '../model/software';
import { readInputs } from './inputs';
import type { Handler } from './services';

export { BASE_PACKAGES, DEB_LXD_PACKAGES, chooseSource, packagesFor } from '../model/software';

/** `sideloading`: the lxd-snap resource holds the snap, so the store is not asked (converge installs the file). */
export async function installPackages(host: Host, wanted: readonly string[], source: LxdPackaging, channel: string, sideloading = false): Promise<string[]> {
  const present = await host.installedPackages(wanted);
  const missing = wanted.filter((p) => !present.has(p));
  if (missing.length > 0) await host.aptInstall(missing);
  if (source === 'snap' && !sideloading && (await host.snapChannel('lxd')) === null) await host.snapInstall('lxd', channel);
  return missing;
}

export const install: Handler = async (s) => {
  const { config: parsed, packaging: source, snapResource } = await readInputs(s);
  if (!parsed.ok || source === null) return; // config-changed follows and reports every problem
  try {
    await s.juju.statusSet({ status: 'maintenance', message: `Installing LXD (${source === 'snap' ? (snapResource?.kind === 'file' ? 'snap from resource lxd-snap' : `snap ${parsed.config.install.snapChannel}`) : 'distro package'})` });
    const installed = await installPackages(s.host, packagesFor(parsed.config, source), source, parsed.config.install.snapChannel, snapResource?.kind === 'file');
    await s.juju.log('INFO', installed.length > 0 ? `installed ${installed.join(' ')}` : 'all packages already present');
  } catch (err) {
    // typed failures of the host's package managers block, naming what failed; config-changed retries
    if (!(err instanceof PackageError || err instanceof SnapdError)) throw err;
    await s.juju.statusSet({ status: 'blocked', message: err.message });
  }
};
