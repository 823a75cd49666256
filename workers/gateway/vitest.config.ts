import { defineConfig } from 'vitest/config'

// Node tests only; workerd tests run under vitest.workers.config.mts. The timeouts only catch hangs
// (a loaded 2-core CI machine runs a 3 s test in 20 s); speed is measured in bench/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/node/**/*.test.ts', 'test/hardening/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'src/workers/**', '**/*.workers.test.ts'],
    testTimeout: 60_000,
    // Hooks start real processes (the GPU backend, the gateway) on a machine other jobs share.
    hookTimeout: 120_000,
  },
})
