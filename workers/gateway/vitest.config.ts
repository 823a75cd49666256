import { defineConfig } from 'vitest/config'

// Node tests only; workerd tests run under vitest.workers.config.mts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/node/**/*.test.ts', 'test/hardening/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'src/workers/**', '**/*.workers.test.ts'],
    testTimeout: 20_000,
    // Hooks start real processes (the GPU backend, the gateway) on a machine other jobs share.
    hookTimeout: 120_000,
  },
})
