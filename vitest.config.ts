import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the upstream tier needs Go-built programs: `npm run test:upstream` (test/upstream/vitest.config.ts)
    exclude: [...configDefaults.exclude, 'test/upstream/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A missing golden file fails like a changed one: goldens are written only by `npm run test:goldens`
    // (vitest's --update), never as a side effect of `npm test` (vitest.dev/config/update).
    update: 'none',
  },
});
