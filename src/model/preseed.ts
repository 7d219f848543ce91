// The desired state as an LXD preseed-style YAML document: the readable record of what the charm wants.
// Rendered only when someone reads it (a plan with changes, show-config), never on the no-change path.
import type { DesiredHost } from './desired';

export async function renderPreseed(desired: DesiredHost, template: string, trustPasswordShown = '<secret>'): Promise<string> {
  // loaded on demand: handlebars costs start-up time a no-change hook should not pay
  const { default: Handlebars } = await import('handlebars');
  const render = Handlebars.compile(template, { noEscape: true, strict: false });
  const source = desired.pool.volumeGroup && desired.pool.devices.length > 0 ? desired.pool.volumeGroup : '';
  return render({ ...desired, source, trustPassword: trustPasswordShown });
}
