// The Worker of wrangler.jsonc inside workerd, calling the gateway of a `pnpm start` that
// test/global-setup.ts runs on free ports (fixture model, auth off).
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: { bindings: { EDGECLIP_BASE_URL: inject('gatewayUrl') } },
    })),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 240_000,
  },
})
