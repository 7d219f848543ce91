// Three projects: `unit` (pure code and fakes, no processes), `package` (validates the packed
// build/lxd.charm and the README; it needs `npm run pack` first, which is why it is not in `unit`,
// though it spawns nothing) and `e2e` (the packed charm on the emulator with real LXD daemons; needs
// root). `npm test` packs, then runs all three, serially.
const transform = { '^.+\\.[tj]s$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.base.json' }] };
// Tests import the emulator as a package, from its TypeScript source.
const moduleNameMapper = {
  '^juju-emulator$': '<rootDir>/emulator/src/index.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/emulator/test/unit/**/*.test.ts'],
      // *.real.test.ts drive a real LXD daemon or LVM: they run with e2e, not as unit tests.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/package/', '<rootDir>/test/reliability/', '\\.real\\.test\\.ts$'],
      // every status a unit test makes the charm set is checked for doubled prefixes
      setupFilesAfterEnv: ['<rootDir>/test/setup/status-wording.ts'],
    },
    {
      displayName: 'package',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/package/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/**/*.real.test.ts', '<rootDir>/emulator/test/e2e/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.js'],
    },
    {
      // faults, reboots, hostile principals (test/reliability/): fakes and the packed charm on real LXD
      displayName: 'reliability',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.js'],
    },
  ],
  // the reliability table (prints nothing when no reliability case ran)
  reporters: ['default', '<rootDir>/test/reliability/reporter.cjs'],
};
