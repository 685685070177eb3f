import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A missing golden file fails like a changed one: goldens are written only by `npm run test:goldens`
    // (vitest's --update), never as a side effect of `npm test` (vitest.dev/config/update).
    update: 'none',
  },
});
