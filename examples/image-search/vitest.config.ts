import { defineConfig } from 'vitest/config'

// Each test file starts the whole stack (pnpm start), which takes a while on a cold CI machine.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], hookTimeout: 240_000, testTimeout: 60_000 },
})
