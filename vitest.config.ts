import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the upstream tier needs Go-built programs: `npm run test:upstream` (test/upstream/vitest.config.ts)
    exclude: [...configDefaults.exclude, 'test/upstream/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
