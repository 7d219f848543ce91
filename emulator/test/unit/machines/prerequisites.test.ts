import { ensureNamespacePrerequisites } from '../../../src/machines/prerequisites';

test('refuses with a clear message when not root (before touching anything)', async () => {
  const getuid = jest.spyOn(process, 'getuid').mockReturnValue(1000);
  try {
    await expect(ensureNamespacePrerequisites()).rejects.toThrow(/need root/);
  } finally {
    getuid.mockRestore();
  }
});
