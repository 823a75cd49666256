import { defineConfig } from 'vitest/config'

// Integration tests start real servers and processes on the fixture model; a busy CI machine needs
// the longer timeouts, a quiet one finishes each in a second or two.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
