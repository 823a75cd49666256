// Tests that run inside workerd (the Workers runtime) against the Worker in wrangler.jsonc, with real
// protocol backends started on the Node side (test/workers/support/global-setup.ts) and the split
// edge tower's part Workers beside it, chained by service bindings as wrangler.edge-part.jsonc does.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

const COMPATIBILITY_DATE = '2026-11-01'
/** Part Workers' names, as wrangler.jsonc's EDGE_TOWER and wrangler.edge-part.jsonc give them. */
const EDGE_PART_WORKER_PREFIX = 'edgeclip-edge-part-'

/** The bundle `wrangler deploy --dry-run` wrote: index.js and ORT's .wasm, imported by its file name. */
const bundleModules = (bundleDir: string) => [
  { type: 'ESModule' as const, path: join(bundleDir, 'index.js') },
  ...readdirSync(bundleDir)
    .filter((file) => file.endsWith('.wasm'))
    .map((file) => ({ type: 'CompiledWasm' as const, path: join(bundleDir, file) })),
]

/** Part `index` of the split tower: the bundle wrangler built, its vars, R2 and NEXT. */
const edgePartWorker = (bundleDir: string, index: number, parts: number) => ({
  name: `${EDGE_PART_WORKER_PREFIX}${index}`,
  modules: bundleModules(bundleDir),
  modulesRoot: bundleDir,
  compatibilityDate: COMPATIBILITY_DATE,
  bindings: { EDGECLIP_MODEL: 'jina-clip-v1', EDGE_PART_INDEX: String(index) },
  // The gateway's MODELS bucket (wrangler.jsonc), so files the tests upload are the ones parts read.
  r2Buckets: { MODELS: 'edgeclip-models' },
  serviceBindings: Object.fromEntries(
    index < parts - 1 ? [['NEXT', `${EDGE_PART_WORKER_PREFIX}${index + 1}`]] : [],
  ) as Record<string, string>,
})

/** One part Worker per part of the artifact global-setup.ts built. */
function edgePartWorkers(bundleDir: string, artifactFiles: readonly string[]) {
  const parts = artifactFiles.filter((file) => /^part-\d+\.onnx$/.test(file)).length
  return Array.from({ length: parts }, (_, index) => edgePartWorker(bundleDir, index, parts))
}

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
        workers: edgePartWorkers(inject('edgePartBundleDir'), inject('edgeArtifactFiles')),
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
