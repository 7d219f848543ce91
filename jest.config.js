// Two projects: `unit` (pure code and fakes, no processes) and `e2e` (the packed charm on the
// emulator with real LXD daemons; needs root). `npm test` runs both, serially.
const transform = { '^.+\\.[tj]s$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.base.json' }] };
// execa and its helpers ship as ES modules only: let ts-jest compile them to CommonJS.
// Tests import the emulator as a package, from its TypeScript source.
const moduleNameMapper = { '^juju-emulator$': '<rootDir>/emulator/src/index.ts' };
const transformIgnorePatterns = ['/node_modules/(?!(execa|@sindresorhus|figures|get-stream|human-signals|is-plain-obj|is-stream|npm-run-path|parse-ms|pretty-ms|strip-final-newline|unicorn-magic|yoctocolors|path-key|is-unicode-supported)/)'];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/emulator/test/unit/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/emulator/test/e2e/**/*.test.ts'],
      testTimeout: 600000,
    },
  ],
};
