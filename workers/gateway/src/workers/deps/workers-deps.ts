// GatewayDeps from the Worker's bindings, built once per isolate on its first request (Workers
// allow 1 s of startup; vocab and model reads come from R2). Only waitUntil is per request.
import {
  EdgeclipError,
  type ModelSpec,
  sha256OfBytes,
  type TowerIdentity,
  WordPieceTokenizer,
} from '@edgeclip/core'
import type { EdgeManifest } from '@edgeclip/edge-model'
import type { Context } from 'hono'
import {
  DurableObjectRateLimiter,
  KvEmbeddingCache,
  KvKeyStore,
  LruEmbeddingCache,
  SafeImageFetcher,
  TieredEmbeddingCache,
} from '../../adapters'
import type { GatewayConfig } from '../../config'
import type { AppEnv } from '../../env'
import type { GatewayDeps } from '../../ports'
import { createEdgeTowerLoader, type EdgeTowerSource, ServiceBindingTextTower } from '../edge-tower'
import type { WorkersEnv } from '../env'
import { selectModel } from './model-selection'
import { workersBackend } from './workers-backend'

/**
 * In-isolate L1 in front of KV: ~10,900 jina-clip-v1 rows. The real model's tower lives in the part
 * Workers, and the fixture's runtime takes ~18 MiB (docs/edge-tower.md), so 32 MiB leaves room in 128.
 */
const L1_CACHE_BYTES = 32 * 1024 * 1024

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

/** A single-file tower run by onnxruntime-web in this isolate. */
export const IN_PROCESS_EDGE_NUMERICS = 'fp32/onnxruntime-web-wasm'

/** The split tower's identity: its build id names the parts and table; the numerics their weights. */
export const splitEdgeIdentity = (manifest: EdgeManifest): TowerIdentity => ({
  weights: manifest.buildId,
  numerics: `${manifest.weights}/edge-split-onnxruntime-web-wasm`,
})

type EdgeTowerDeps = Pick<GatewayDeps, 'edgeTower' | 'edgeIdentity'>

/** The edge tower's loader and identity: in this isolate (fixture), through EDGE_TOWER (split), or none. */
async function edgeTowerFor(
  found: EdgeTowerSource | undefined,
  env: WorkersEnv,
  options: { spec: ModelSpec; sourceName: string; maxBatchSize: number; wasmModule: WebAssembly.Module },
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
    const tower = new ServiceBindingTextTower({
      binding: env.EDGE_TOWER,
      manifest: found.manifest,
      spec,
      maxBatchSize,
    })
    // The parts load their weights on their own first request (or /readyz's probe), never here.
    return { edgeTower: async () => tower, edgeIdentity: splitEdgeIdentity(found.manifest) }
  }
  console.warn(
    found
      ? `${options.sourceName} has a split edge tower but no EDGE_TOWER service binding is set: every text goes to the backend`
      : `no edge text tower in ${options.sourceName}: every text goes to the backend`,
  )
  return { edgeTower: undefined, edgeIdentity: undefined }
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
  const edge: EdgeTowerDeps =
    config.edgeMaxTokens > 0
      ? await edgeTowerFor(foundEdgeTower, env, {
          spec,
          sourceName: source.name,
          maxBatchSize: config.edgeBatchSize,
          wasmModule,
        })
      : { edgeTower: undefined, edgeIdentity: undefined }
  return {
    spec,
    tokenizer: tokenizerFor(vocab, spec, source.name),
    // Anything but an explicit "off" keeps auth on: a typo must not open the API.
    keyStore: env.EDGECLIP_AUTH === 'off' ? undefined : new KvKeyStore(env.KEYS),
    rateLimiter: new DurableObjectRateLimiter(env.RATE_LIMITER),
    cache: new TieredEmbeddingCache(
      new LruEmbeddingCache({ maxBytes: L1_CACHE_BYTES }),
      new KvEmbeddingCache(env.CACHE),
    ),
    ...edge,
    backend: workersBackend(env, config.backendTimeoutMs),
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
