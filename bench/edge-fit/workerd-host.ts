// Runs the shipped bundles in workerd through Miniflare (wrangler's local runtime: it gives the
// Workers real R2, KV and Durable Object bindings), wired as the deploy configs wire them: the
// gateway's EDGE_TOWER to part 0, each part's NEXT to the next. The V8 inspector is on, and each
// Worker is its own inspector target, so the harness reads every isolate's memory apart.
import { freePort } from '@edgeclip/testkit'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { inspectorTargets } from './inspector'
import type { BundleModule, ShippedBundles } from './shipped-bundles'

/** wrangler.jsonc and wrangler.edge-part.jsonc's compatibility date. */
const COMPATIBILITY_DATE = '2026-11-01'
/** The Worker names the deploy configs give (wrangler.jsonc's EDGE_TOWER names part 0). */
export const GATEWAY_WORKER = 'edgeclip-gateway'
export const partWorker = (index: number) => `edgeclip-edge-part-${index}`
const BUCKET = 'edgeclip-models'

export interface GatewayVars {
  EDGECLIP_EDGE_MAX_TOKENS: string
  BACKEND_URL: string
}

export interface WorkerdHost {
  /** A request to one Worker, as a service binding would send it. */
  fetch(worker: string, request: Request): Promise<Response>
  /** The inspector's WebSocket URL for each Worker's isolate. */
  inspector: Map<string, string>
  putModelFile(key: string, bytes: Uint8Array): Promise<void>
  /** Stores one value under many keys of the gateway's CACHE namespace. */
  putCacheEntries(keys: readonly string[], value: Uint8Array): Promise<void>
  dispose(): Promise<void>
}

/**
 * Writes the gateway's CACHE namespace from inside workerd: one request per thousand keys instead
 * of one proxied round trip per key (minutes for the ~11,000 rows of a full L1). Bench data only;
 * no inspector target, so it is never measured.
 */
const SEED_WORKER = 'bench-cache-seed'
const SEED_SCRIPT = `export default {
  async fetch(request, env) {
    const { keys, value } = await request.json()
    const bytes = new Uint8Array(value).buffer
    await Promise.all(keys.map((key) => env.CACHE.put(key, bytes)))
    return new Response('ok')
  },
}`

const modulesOf = (bundle: readonly BundleModule[]) =>
  bundle.map((module) => ({ type: module.type, path: module.path }))

export async function startWorkerd(bundles: ShippedBundles, vars: GatewayVars): Promise<WorkerdHost> {
  const parts = bundles.parts.length
  const inspectorPort = await freePort()
  // Miniflare 5 takes the v4 options (wrangler's shape) through its converter.
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      inspectorPort,
      workers: [
        {
          name: GATEWAY_WORKER,
          modules: modulesOf(bundles.gateway),
          modulesRoot: '/',
          compatibilityDate: COMPATIBILITY_DATE,
          unsafeInspectorProxy: true,
          bindings: {
            EDGECLIP_MODEL: 'jina-clip-v1',
            // Auth and rate limits are not what is measured: every request goes through unkeyed.
            EDGECLIP_AUTH: 'off',
            EDGECLIP_CORS_ORIGINS: '',
            ...vars,
          },
          kvNamespaces: ['CACHE', 'KEYS'],
          r2Buckets: { MODELS: BUCKET },
          durableObjects: { RATE_LIMITER: { className: 'RateLimiterDurableObject', useSQLite: true } },
          serviceBindings: { EDGE_TOWER: partWorker(0) },
        },
        {
          name: SEED_WORKER,
          modules: true,
          script: SEED_SCRIPT,
          compatibilityDate: COMPATIBILITY_DATE,
          kvNamespaces: { CACHE: 'CACHE' },
        },
        ...bundles.parts.map((bundle, index) => ({
          name: partWorker(index),
          modules: modulesOf(bundle),
          modulesRoot: '/',
          compatibilityDate: COMPATIBILITY_DATE,
          unsafeInspectorProxy: true,
          bindings: { EDGECLIP_MODEL: 'jina-clip-v1', EDGE_PART_INDEX: String(index) },
          r2Buckets: { MODELS: BUCKET },
          serviceBindings: Object.fromEntries(
            index + 1 < parts ? [['NEXT', partWorker(index + 1)]] : [],
          ) as Record<string, string>,
        })),
      ],
    }),
  )
  await miniflare.ready
  const inspector = await inspectorTargets(`http://127.0.0.1:${inspectorPort}`)
  const bucket = await miniflare.getR2Bucket('MODELS', GATEWAY_WORKER)
  return {
    async fetch(worker, request) {
      const fetcher = await miniflare.getWorker(worker)
      return (await fetcher.fetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        ...(request.body ? { body: new Uint8Array(await request.arrayBuffer()) } : {}),
      })) as unknown as Response
    },
    inspector,
    async putModelFile(key, bytes) {
      await bucket.put(key, bytes)
    },
    async putCacheEntries(keys, value) {
      const seed = await miniflare.getWorker(SEED_WORKER)
      for (let start = 0; start < keys.length; start += 1000) {
        const response = await seed.fetch('https://seed.bench/', {
          method: 'POST',
          body: JSON.stringify({ keys: keys.slice(start, start + 1000), value: [...value] }),
        })
        if (!response.ok) throw new Error(`seeding the cache: ${response.status} ${await response.text()}`)
        await response.arrayBuffer()
      }
    },
    dispose: () => miniflare.dispose(),
  }
}
