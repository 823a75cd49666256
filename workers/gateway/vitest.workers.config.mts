// Tests that run inside workerd (the Workers runtime) against the real Worker in wrangler.jsonc.
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.jsonc' } })],
  test: { include: ['test/workers/**/*.test.ts'] },
})
