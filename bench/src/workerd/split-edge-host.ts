// The split edge tower as it ships, inside workerd (Miniflare drives the binary wrangler uses): the
// gateway's and the part Worker's bundles as `wrangler deploy --dry-run` writes them, the bindings
// of wrangler.jsonc and wrangler.edge-part.jsonc, one part Worker per part chained by NEXT, and the
// artifact and vocab in the local R2 bucket they read.
import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { jinaClipV1 } from '@edgeclip/core'
import {
  decodeTensorBundle,
  type EdgeManifest,
  encodeTensorBundle,
  parseEdgeManifest,
} from '@edgeclip/edge-model'
import {
  convertV4MiniflareOptions,
  Miniflare,
  type V4ModuleDefinition,
  type V4WorkerOptions as WorkerOptions,
} from 'miniflare'
// Node-safe leaves of the gateway's Workers code: the R2 layout and the hop's body type.
import {
  edgeArtifactKey,
  TENSOR_BUNDLE_TYPE,
} from '../../../workers/gateway/src/workers/edge-tower/edge-artifact'
import { r2ModelKey } from '../../../workers/gateway/src/workers/edge-tower/r2-model-key'

const gatewayDir = fileURLToPath(new URL('../../../workers/gateway/', import.meta.url))
const run = promisify(execFile)
/** wrangler.jsonc's compatibility_date, which both configs share. */
const COMPATIBILITY_DATE = '2026-11-01'
/** Names as wrangler.jsonc's EDGE_TOWER and wrangler.edge-part.jsonc's environments give them. */
const GATEWAY = 'edgeclip-gateway'
const partName = (index: number) => `edgeclip-edge-part-${index}`
const spec = jinaClipV1
/** No backend in this bench: texts over the edge limit would fail, and none are sent. */
const NO_BACKEND_URL = 'http://127.0.0.1:9'
const EMBED_URL = 'https://edge-tower.internal/embed'

export interface SplitEdgeHost {
  manifest: EdgeManifest
  /** POST /v1/embeddings on the gateway (auth off), raw float vectors. */
  embed(texts: readonly string[]): Promise<Response>
  /** Token-id rows straight to part 0, as the gateway's EDGE_TOWER binding sends them (padded with 0). */
  embedIds(rows: readonly (readonly number[])[]): Promise<Float32Array[]>
  dispose(): Promise<void>
}

async function wrangler(args: readonly string[]): Promise<void> {
  await run(join(gatewayDir, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', ...args], {
    cwd: gatewayDir,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  })
}

/** The bundles wrangler would upload: the gateway's (with the fixture model it bundles) and a part's. */
async function buildBundles(workDir: string): Promise<{ gateway: string; part: string }> {
  const tsx = join(gatewayDir, 'node_modules', '.bin', 'tsx')
  await run(tsx, ['src/workers/fixture/write-fixture-files.ts'], { cwd: gatewayDir })
  // wrangler runs in the gateway's folder: absolute paths only.
  const gateway = resolve(workDir, 'gateway-bundle')
  const part = resolve(workDir, 'edge-part-bundle')
  await wrangler(['--outdir', gateway])
  await wrangler(['-c', 'wrangler.edge-part.jsonc', '--env', 'part-0', '--outdir', part])
  return { gateway, part }
}

const MODULE_TYPES = { '.js': 'ESModule', '.wasm': 'CompiledWasm', '.onnx': 'Data', '.txt': 'Text' } as const

async function bundleModules(dir: string): Promise<V4ModuleDefinition[]> {
  const files = (await readdir(dir)).filter((file) => file !== 'index.js')
  const typed = files.flatMap((file) => {
    const type = Object.entries(MODULE_TYPES).find(([extension]) => file.endsWith(extension))?.[1]
    return type ? [{ type, path: join(dir, file) }] : []
  })
  return [{ type: 'ESModule' as const, path: join(dir, 'index.js') }, ...typed]
}

export async function startSplitEdgeHost(options: {
  edgeDir: string
  vocabText: string
  workDir: string
}): Promise<SplitEdgeHost> {
  const manifest = parseEdgeManifest(await readFile(join(options.edgeDir, 'manifest.json'), 'utf8'))
  const bundles = await buildBundles(options.workDir)
  const parts = manifest.parts.length
  const partModules = await bundleModules(bundles.part)
  const workers: WorkerOptions[] = [
    {
      name: GATEWAY,
      modules: await bundleModules(bundles.gateway),
      modulesRoot: bundles.gateway,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: {
        EDGECLIP_MODEL: spec.id,
        EDGECLIP_AUTH: 'off',
        BACKEND_URL: NO_BACKEND_URL,
        EDGECLIP_EDGE_MAX_TOKENS: '16',
        EDGECLIP_CORS_ORIGINS: '',
      },
      kvNamespaces: ['CACHE', 'KEYS'],
      r2Buckets: { MODELS: 'edgeclip-models' },
      durableObjects: { RATE_LIMITER: { className: 'RateLimiterDurableObject', useSQLite: true } },
      serviceBindings: { EDGE_TOWER: partName(0) },
    },
    ...Array.from(
      { length: parts },
      (_, index): WorkerOptions => ({
        name: partName(index),
        modules: partModules,
        modulesRoot: bundles.part,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { EDGECLIP_MODEL: spec.id, EDGE_PART_INDEX: String(index) },
        r2Buckets: { MODELS: 'edgeclip-models' },
        serviceBindings: index < parts - 1 ? { NEXT: partName(index + 1) } : {},
      }),
    ),
  ]
  // Miniflare 5 takes a new options shape; the one the Workers tests and wrangler use converts.
  const miniflare = new Miniflare(convertV4MiniflareOptions({ workers }))
  await miniflare.ready
  const bucket = await miniflare.getR2Bucket('MODELS')
  await bucket.put(r2ModelKey(spec, 'vocab.txt'), options.vocabText)
  for (const file of await readdir(options.edgeDir)) {
    await bucket.put(edgeArtifactKey(spec, file), new Uint8Array(await readFile(join(options.edgeDir, file))))
  }
  const partZero = await miniflare.getWorker(partName(0))
  return {
    manifest,
    async embed(texts) {
      const send = () =>
        miniflare.dispatchFetch('https://gateway.bench/v1/embeddings', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: texts, normalized: false }),
        }) as unknown as Promise<Response>
      // After minutes idle (the peers' runs), workerd has closed the keep-alive socket that Node's
      // fetch pool still holds: the first call fails before reaching the gateway. Once more is safe.
      return send().catch(send)
    },
    async embedIds(rows) {
      const sequence = Math.max(...rows.map((row) => row.length))
      const ids = new BigInt64Array(rows.length * sequence).fill(BigInt(spec.tokenizer.padId))
      rows.forEach((row, rowIndex) => {
        row.forEach((id, column) => {
          ids[rowIndex * sequence + column] = BigInt(id)
        })
      })
      const response = await partZero.fetch(EMBED_URL, {
        method: 'POST',
        headers: { 'content-type': TENSOR_BUNDLE_TYPE },
        body: encodeTensorBundle({
          [manifest.idsInput]: { type: 'int64', data: ids, dims: [rows.length, sequence] },
        }),
      })
      if (!response.ok) throw new Error(`part 0 answered ${response.status}: ${await response.text()}`)
      const output = decodeTensorBundle(new Uint8Array(await response.arrayBuffer()))[manifest.output]
      if (!output) throw new Error(`the chain gave no ${manifest.output}`)
      const width = output.dims.at(-1) ?? 0
      const data = output.data as Float32Array
      return rows.map((_, index) => data.slice(index * width, (index + 1) * width))
    },
    dispose: () => miniflare.dispose(),
  }
}
