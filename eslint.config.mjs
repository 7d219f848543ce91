import tseslint from 'typescript-eslint';

// Only the ground floor (juju/, lxd/, host/) and the composition root (main.ts, adapters.ts) may reach
// processes, sockets and the environment: everything above gets them as adapters through Services.
const GROUND_FLOOR = ['src/juju/**', 'src/lxd/**', 'src/host/**', 'src/main.ts', 'src/adapters.ts'];
const OUTSIDE_WORLD = ['child_process', 'https', 'tls', 'net'].flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'emulator/dist/', 'emulator/build/', 'coverage/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: GROUND_FLOOR,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...OUTSIDE_WORLD.map((name) => ({ name, message: 'processes and sockets are adapters: build them in src/adapters.ts (ground floor: juju/, lxd/, host/)' }))],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'only src/main.ts and src/adapters.ts read the environment' }],
    },
  },
  {
    // one way to run a program: src/host/run-process.ts
    files: ['src/**/*.ts'],
    ignores: ['src/host/run-process.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...['child_process', 'node:child_process'].map((name) => ({ name, message: 'run programs through src/host/run-process.ts' }))] }],
    },
  },
);
