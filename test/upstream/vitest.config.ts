import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The upstream tier (`npm run test:upstream`): suites that run upstream's own code, built by test/upstream/run.ts. */
export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/upstream/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
