import { defineConfig } from 'vitest/config'

// Each test starts the CLI as a real process under tsx; a cold start on a busy CI machine (turbo runs
// every package's tests at once) takes seconds, so the default 5 s is too tight.
export default defineConfig({
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
})
