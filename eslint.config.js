// Lint: typescript-eslint's recommended rules plus the project's layering (docs/architecture.md,
// "Layers"): which folder may import which. An arrow pointing "up" (domain importing storage,
// streams importing services) fails here, not in review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import patterns forbidden to files of one area, with the reason shown in the error. */
const forbid = (files, groups, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }] },
});

const appLayers = ['**/api/**', '**/services/**', '**/cli/**'];
const io = ['node:*', 'ioredis', 'fs', 'path', 'zlib', 'stream', 'worker_threads', 'child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'frontend/dist/**', 'node_modules/**', 'bench/node_modules/**', 'bench/out/**', 'data/**', 'test-results/**', '**/*.vue', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // XML and CSV writers strip or neutralise control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Redis names come only from src/redis/keys.ts.
      'no-restricted-syntax': ['error', { selector: "Literal[value=/^sd:[a-z]/]", message: 'Redis key names come from src/redis/keys.ts' },
        // An ESM import of node:http loads undici on Node 24 (src/lib/node-http.ts).
        { selector: "ImportDeclaration[source.value=/^(node:)?http$/][importKind!='type']", message: 'use `http` from src/lib/node-http.ts (an ESM import of node:http loads undici on Node 24)' }],
    },
  },
  // Tests, benchmarks and scripts may use `any` for parsed documents and reach into every layer.
  { files: ['test/**', 'bench/**', 'scripts/**', 'frontend/test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-syntax': 'off' } },
  { files: ['src/redis/keys.ts', 'src/config/env.ts'], rules: { 'no-restricted-syntax': 'off' } },

  // Layers, bottom up.
  forbid(['src/**'], ['**/workers/**', '**/frontend/**'], 'src/ never imports workers/ or frontend/'),
  forbid(['src/errors/**', 'src/lib/**', 'src/config/**', 'src/contracts/**'], ['../*/**', '!../errors/**', ...io.filter((m) => m !== 'node:*')],
    'config, contracts, errors and lib depend on nothing app-specific (contracts and config may use errors)'),
  forbid(['src/domain/**'], ['**/sheets/**', '**/storage/**', '**/redis/**', '**/streams/**', '**/jobs/**', '**/payments/**', '**/exports/**', '**/observability/**', ...appLayers, ...io],
    'src/domain is pure: no I/O, only contracts and errors'),
  forbid(['src/sheets/**'], ['**/storage/**', '**/redis/**', '**/streams/**', '**/jobs/**', '**/payments/**', '**/exports/**', '**/observability/**', ...appLayers],
    'src/sheets reads and writes files: domain, contracts and errors only'),
  forbid(['src/storage/**', 'src/redis/**', 'src/payments/**'], ['**/sheets/**', '**/streams/**', '**/jobs/**', '**/exports/**', '**/domain/**', ...appLayers],
    'drivers (storage, redis, payments) know config and errors, not the application'),
  forbid(['src/jobs/**', 'src/streams/**'], ['**/sheets/**', '**/storage/**', '**/payments/**', '**/exports/**', '**/domain/**', ...appLayers],
    'the job runtime is generic: it knows Redis and messages, not compare, payment or export'),
  forbid(['src/exports/**', 'src/observability/**'], appLayers, 'exports and observability sit below services and the API'),
  forbid(['src/services/**'], ['**/api/**', '**/cli/**'], 'services are shared by the API and the workers: no HTTP here'),
  forbid(['workers/**'], ['**/src/api/**', '**/src/cli/**'], 'workers import src/, never the API'),
  forbid(['frontend/src/**'], ['**/src/*/**', '!**/src/contracts/**'], 'the web app may import only src/contracts from the server'),
);
