// GatewayDeps from the Worker's bindings, built once per isolate on its first request (Workers
// allow 1 s of startup; vocab and model reads come from R2). Only waitUntil is per request.
import { EdgeclipError, type ModelSpec, sha256OfBytes, WordPieceTokenizer } from '@edgeclip/core'
import type { Context } from 'hono'
import {
  DurableObjectRateLimiter,
  KvEmbeddingCache,
  KvKeyStore,
  LruEmbeddingCache,
  SafeImageFetcher,
  TieredEmbeddingCache,
} from '../../adapters'
import { type GatewayConfig, WORKERS_L1_CACHE_BYTES } from '../../config'
import type { AppEnv } from '../../env'
import type { GatewayDeps } from '../../ports'
import {
  createEdgeTowerLoader,
  type EdgeTowerSource,
  ServiceBindingTextTower,
  type TextModelSource,
} from '../edge-tower'
import type { WorkersEnv } from '../env'
import { IN_PROCESS_EDGE_NUMERICS, splitEdgeIdentity } from './edge-identity'
import { selectModel } from './model-selection'
import { workersBackend } from './workers-backend'

export type IsolateDeps = Omit<GatewayDeps, 'waitUntil'>

function tokenizerFor(vocab: string, spec: ModelSpec, sourceName: string): WordPieceTokenizer {
  try {
    return WordPieceTokenizer.fromVocab(vocab, spec.tokenizer)
  } catch (error) {
    // A wrong upload is an outage to report clearly, not a crash on every request.
    throw new EdgeclipError(`vocab.txt in ${sourceName} does not fit ${spec.id}: ${String(error)}`, {
      status: 503,
      code: 'model_unavailable',
      cause: error,
    })
  }
}

export { IN_PROCESS_EDGE_NUMERICS, splitEdgeIdentity } from './edge-identity'

type EdgeTowerDeps = Pick<GatewayDeps, 'edgeTower' | 'edgeIdentity'>

/** Drops this isolate's deps so the next request builds them afresh (from R2 as it is now). */
export type InvalidateDeps = () => void

/** The edge tower's loader and identity: in this isolate (fixture), through EDGE_TOWER (split), or none. */
async function edgeTowerFor(
  found: EdgeTowerSource | undefined,
  env: WorkersEnv,
  options: {
    spec: ModelSpec
    source: TextModelSource
    maxBatchSize: number
    wasmModule: WebAssembly.Module
    invalidate: InvalidateDeps | undefined
  },
): Promise<EdgeTowerDeps> {
  const { spec, maxBatchSize } = options
  if (found?.kind === 'in-process') {
    const edgeTower = createEdgeTowerLoader({
      spec,
      loadModel: found.loadModel,
      wasmModule: options.wasmModule,
      maxBatchSize,
    })
    // Bundled bytes (the fixture, a few MB): hashed here so lookups need not wait for the session.
    const weights = await sha256OfBytes(await found.loadModel())
    return { edgeTower, edgeIdentity: { weights, numerics: IN_PROCESS_EDGE_NUMERICS } }
  }
  if (found?.kind === 'split' && env.EDGE_TOWER) {
    const { manifest } = found
    const { invalidate, source } = options
    const tower = new ServiceBindingTextTower({
      binding: env.EDGE_TOWER,
      manifest,
      spec,
      maxBatchSize,
      // This isolate's manifest is stale when R2 names another build (the parts were redeployed on
      // a rebuild): later requests then start over on the new one. Requests in flight keep theirs,
      // so no vector is ever stored under a build that did not compute it.
      ...(invalidate
        ? {
            onBuildMismatch: async () => {
              const now = await source.findEdgeTower()
              if (now?.kind === 'split' && now.manifest.buildId !== manifest.buildId) invalidate()
            },
          }
        : {}),
    })
    // The parts load their weights on their own first request (or /readyz's probe), never here.
    return { edgeTower: async () => tower, edgeIdentity: splitEdgeIdentity(found.manifest) }
  }
  console.warn(
    found
      ? `${options.source.name} has a split edge tower but no EDGE_TOWER service binding is set: every text goes to the backend`
      : `no edge text tower in ${options.source.name}: every text goes to the backend`,
  )
  return { edgeTower: undefined, edgeIdentity: undefined }
}

export async function buildIsolateDeps(
  env: WorkersEnv,
  config: GatewayConfig,
  wasmModule: WebAssembly.Module,
  invalidate?: InvalidateDeps,
): Promise<IsolateDeps> {
  const { spec, source } = selectModel(env)
  const [vocab, foundEdgeTower] = await Promise.all([
    source.loadVocab(),
    config.edgeMaxTokens > 0 ? source.findEdgeTower() : undefined,
  ])
  const edge: EdgeTowerDeps =
    config.edgeMaxTokens > 0
      ? await edgeTowerFor(foundEdgeTower, env, {
          spec,
          source,
          maxBatchSize: config.edgeBatchSize,
          wasmModule,
          invalidate,
        })
      : { edgeTower: undefined, edgeIdentity: undefined }
  return {
    spec,
    tokenizer: tokenizerFor(vocab, spec, source.name),
    // Anything but an explicit "off" keeps auth on: a typo must not open the API.
    keyStore: env.EDGECLIP_AUTH === 'off' ? undefined : new KvKeyStore(env.KEYS),
    rateLimiter: new DurableObjectRateLimiter(env.RATE_LIMITER),
    cache: new TieredEmbeddingCache(
      new LruEmbeddingCache({ maxBytes: WORKERS_L1_CACHE_BYTES }),
      new KvEmbeddingCache(env.CACHE),
    ),
    ...edge,
    backend: workersBackend(env, config.backendTimeoutMs),
    imageFetcher: new SafeImageFetcher({ maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels }),
  }
}

/** `getDeps` for createGatewayApp: isolate deps, built once (retried after a failure), plus waitUntil. */
export function workersGetDeps(
  build: (invalidate: InvalidateDeps) => Promise<IsolateDeps>,
): (context: Context<AppEnv>) => Promise<GatewayDeps> {
  let building: Promise<IsolateDeps> | undefined
  return async (context) => {
    if (!building) {
      const started: Promise<IsolateDeps> = build(() => {
        // Only the deps that asked: a newer build in the meantime stays.
        if (building === started) building = undefined
      }).catch((error: unknown) => {
        if (building === started) building = undefined
        throw error
      })
      building = started
    }
    const deps = await building
    const executionContext = context.executionCtx
    return { ...deps, waitUntil: (promise) => executionContext.waitUntil(promise) }
  }
}
