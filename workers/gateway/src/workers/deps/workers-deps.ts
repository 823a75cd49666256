// GatewayDeps from the Worker's bindings, built once per isolate on its first request (Workers
// allow 1 s of startup; vocab and model reads come from R2). Only waitUntil is per request.
import { EdgeclipError, type ModelSpec, WordPieceTokenizer } from '@edgeclip/core'
import type { Context } from 'hono'
import {
  DurableObjectRateLimiter,
  HttpBackend,
  KvEmbeddingCache,
  KvKeyStore,
  LruEmbeddingCache,
  SafeImageFetcher,
  TieredEmbeddingCache,
} from '../../adapters'
import { type GatewayConfig, WORKERS_L1_CACHE_BYTES } from '../../config'
import type { AppEnv } from '../../env'
import type { GatewayDeps } from '../../ports'
import { createEdgeTowerLoader, type EdgeTowerSource, ServiceBindingTextTower } from '../edge-tower'
import type { WorkersEnv } from '../env'
import { selectModel } from './model-selection'

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

/** The edge tower's loader: in this isolate (fixture), through EDGE_TOWER (split), or none. */
function edgeTowerFor(
  found: EdgeTowerSource | undefined,
  env: WorkersEnv,
  options: { spec: ModelSpec; sourceName: string; maxBatchSize: number; wasmModule: WebAssembly.Module },
): GatewayDeps['edgeTower'] {
  const { spec, maxBatchSize } = options
  if (found?.kind === 'in-process') {
    return createEdgeTowerLoader({
      spec,
      loadModel: found.loadModel,
      wasmModule: options.wasmModule,
      maxBatchSize,
    })
  }
  if (found?.kind === 'split' && env.EDGE_TOWER) {
    const tower = new ServiceBindingTextTower({
      binding: env.EDGE_TOWER,
      manifest: found.manifest,
      spec,
      maxBatchSize,
    })
    // The parts load their weights on their own first request (or /readyz's probe), never here.
    return async () => tower
  }
  console.warn(
    found
      ? `${options.sourceName} has a split edge tower but no EDGE_TOWER service binding is set: every text goes to the backend`
      : `no edge text tower in ${options.sourceName}: every text goes to the backend`,
  )
  return undefined
}

export async function buildIsolateDeps(
  env: WorkersEnv,
  config: GatewayConfig,
  wasmModule: WebAssembly.Module,
): Promise<IsolateDeps> {
  const { spec, source } = selectModel(env)
  const [vocab, foundEdgeTower] = await Promise.all([
    source.loadVocab(),
    config.edgeMaxTokens > 0 ? source.findEdgeTower() : undefined,
  ])
  const edgeTower =
    config.edgeMaxTokens > 0
      ? edgeTowerFor(foundEdgeTower, env, {
          spec,
          sourceName: source.name,
          maxBatchSize: config.edgeBatchSize,
          wasmModule,
        })
      : undefined
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
    edgeTower,
    backend: env.BACKEND_URL
      ? new HttpBackend({
          url: env.BACKEND_URL,
          timeoutMs: config.backendTimeoutMs,
          ...(env.BACKEND_SECRET ? { secret: env.BACKEND_SECRET } : {}),
          ...(env.MODAL_KEY ? { modalKey: env.MODAL_KEY } : {}),
          ...(env.MODAL_SECRET ? { modalSecret: env.MODAL_SECRET } : {}),
        })
      : undefined,
    imageFetcher: new SafeImageFetcher({ maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels }),
  }
}

/** `getDeps` for createGatewayApp: isolate deps, built once (retried after a failure), plus waitUntil. */
export function workersGetDeps(
  build: () => Promise<IsolateDeps>,
): (context: Context<AppEnv>) => Promise<GatewayDeps> {
  let building: Promise<IsolateDeps> | undefined
  return async (context) => {
    building ??= build().catch((error: unknown) => {
      building = undefined
      throw error
    })
    const deps = await building
    const executionContext = context.executionCtx
    return { ...deps, waitUntil: (promise) => executionContext.waitUntil(promise) }
  }
}
