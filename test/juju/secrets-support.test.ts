import { HookToolError } from '../../src/juju/hook-tools';
import { ExecHookTools } from '../../src/juju/exec-hook-tools';
import { jujuHasSecrets } from '../../src/juju/secrets-support';

test('secrets from Juju 3.0.2: the version decides, pre-releases count as their x.y.0', () => {
  const has = (jujuVersion: string): boolean => jujuHasSecrets({ jujuVersion, exists: () => true });
  expect(['3.0.2', '3.0.3', '3.1-rc1', '3.6.4', '4.0.0'].filter(has)).toEqual(['3.0.2', '3.0.3', '3.1-rc1', '3.6.4', '4.0.0']);
  expect(['2.9.46', '3.0.0', '3.0.1', '3.0-beta4'].filter(has)).toEqual([]);
});

test('an unreadable version: whether secret-add is among the hook tools on PATH', () => {
  const tools = new Set(['/var/lib/juju/tools/unit-lxd-0/secret-add']);
  const exists = (file: string): boolean => tools.has(file);
  expect(jujuHasSecrets({ jujuVersion: 'dev', path: '/usr/bin:/var/lib/juju/tools/unit-lxd-0', exists })).toBe(true);
  expect(jujuHasSecrets({ jujuVersion: '', path: '/usr/bin:/bin', exists })).toBe(false);
});

test('the real hook tools decide from JUJU_VERSION, and refuse to guess without it', () => {
  const runner = async (): Promise<never> => {
    throw new HookToolError('none', 1, 'not run');
  };
  expect(new ExecHookTools(runner, { jujuVersion: '3.6.4' }).secretsSupported).toBe(true);
  expect(new ExecHookTools(runner, { jujuVersion: '2.9.46' }).secretsSupported).toBe(false);
  expect(() => new ExecHookTools(runner).secretsSupported).toThrow('cannot tell whether this Juju has secrets');
});
