import { defineConfig } from 'vitest/config'

// test/workers runs in workerd under its own config (vitest.workers.config.mts).
export default defineConfig({ test: { include: ['test/**/*.test.ts'], exclude: ['test/workers/**'] } })
