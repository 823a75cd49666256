// Tests that run inside workerd (the Workers runtime) against the Worker in wrangler.jsonc, with a
// real protocol backend started on the Node side (test/workers/support/global-setup.ts).
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: {
          EDGECLIP_MODEL: 'fixture',
          EDGECLIP_AUTH: 'on',
          BACKEND_URL: inject('backendUrl'),
          // Tests read it back from env to check the backend got it.
          BACKEND_SECRET: 'test-backend-secret',
        },
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    // One isolate for every file (each test makes its own keys and texts): ORT and the Worker
    // load once instead of per file, which is most of this suite's time.
    isolate: false,
    // Files share the R2 bucket (the real model's keys are fixed by its revision): one at a time.
    fileParallelism: false,
    globalSetup: ['test/workers/support/global-setup.ts'],
  },
})
