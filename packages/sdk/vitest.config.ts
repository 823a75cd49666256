import { defineConfig } from 'vitest/config'

// test/workers runs in workerd under its own config (vitest.workers.config.mts). The timeouts only
// catch hangs on a loaded CI machine (every package's suite runs at once); speed lives in bench/.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/workers/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
