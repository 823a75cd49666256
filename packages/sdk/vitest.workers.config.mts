// The SDK inside workerd (the Workers runtime), calling a real Node gateway that
// test/workers/global-setup.ts starts on the Node side.
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      miniflare: {
        compatibilityDate: '2026-11-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings: { EDGECLIP_BASE_URL: inject('gatewayUrl'), EDGECLIP_API_KEY: inject('apiKey') },
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
  },
})
