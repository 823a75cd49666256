// Builds GatewayDeps for Node from settings. One machine: SQLite keys, LRU over SQLite vectors,
// in-memory rate limits. With REDIS_URL (N replicas): keys, limits and L2 vectors in Redis.
// Either way the pinned-DNS image fetcher and an HTTP backend (local or on Modal).
import { join } from 'node:path'
import type { Backend, ModelSpec, TextTower, TowerIdentity } from '@edgeclip/core'
import {
  ColdStartBackend,
  HttpBackend,
  LruEmbeddingCache,
  MemoryRateLimiter,
  ModalBackend,
  NodeSafeImageFetcher,
  RedisEmbeddingCache,
  RedisKeyStore,
  RedisRateLimiter,
  SqliteEmbeddingCache,
  SqliteKeyStore,
  TieredEmbeddingCache,
} from '../adapters/node'
import type { GatewayDeps, TextTokenizer } from '../ports'
import type { NodeGatewaySettings } from './node-settings'

/** What the host loads from the model directory (or the fixture). */
export interface NodeModel {
  spec: ModelSpec
  tokenizer: TextTokenizer
  /** Loads the in-process text tower on first call; undefined when the host runs none. */
  edgeTower: (() => Promise<TextTower>) | undefined
  /** The text tower file's sha256 and numerics: what edge-routed cache keys name. */
  edgeIdentity: TowerIdentity | undefined
  release(): Promise<void>
}

export const CACHE_FILE_NAME = 'embeddings.sqlite'

/**
 * A backend on Modal may be scaled to zero: it is wrapped so that a cold one answers 503 with
 * retry-after while it boots (ColdStartBackend). BACKEND_URL names a backend assumed always on.
 */
export function createBackend(settings: NodeGatewaySettings): Backend | undefined {
  const timeoutMs = settings.config.backendTimeoutMs
  if (settings.modal?.kind === 'function') {
    const { appName, functionName, tokenId, tokenSecret, environment } = settings.modal
    const modal = new ModalBackend({
      appName,
      functionName,
      timeoutMs,
      ...(tokenId ? { tokenId } : {}),
      ...(tokenSecret ? { tokenSecret } : {}),
      ...(environment ? { environment } : {}),
    })
    return new ColdStartBackend(modal, settings.coldStart)
  }
  if (settings.modal) {
    const endpoint = new HttpBackend({
      url: settings.modal.url,
      timeoutMs,
      ...(settings.modal.key ? { modalKey: settings.modal.key } : {}),
      ...(settings.modal.secret ? { modalSecret: settings.modal.secret } : {}),
      ...(settings.backendSecret ? { secret: settings.backendSecret } : {}),
    })
    return new ColdStartBackend(endpoint, settings.coldStart)
  }
  if (!settings.backendUrl) return undefined
  return new HttpBackend({
    url: settings.backendUrl,
    timeoutMs,
    ...(settings.backendSecret ? { secret: settings.backendSecret } : {}),
  })
}

/** Everything but `waitUntil`, which belongs to the server that tracks it. */
export function createNodeDeps(
  settings: NodeGatewaySettings,
  model: NodeModel,
): Omit<GatewayDeps, 'waitUntil'> {
  const { redisUrl } = settings
  const sharedCache = redisUrl
    ? new RedisEmbeddingCache(redisUrl)
    : new SqliteEmbeddingCache(join(settings.dataDir, CACHE_FILE_NAME))
  const keyStore = !settings.auth
    ? undefined
    : redisUrl
      ? new RedisKeyStore(redisUrl)
      : new SqliteKeyStore(settings.dataDir)
  return {
    spec: model.spec,
    tokenizer: model.tokenizer,
    keyStore,
    rateLimiter: redisUrl
      ? new RedisRateLimiter(redisUrl, { onRedisError: settings.rateLimitOnRedisError })
      : new MemoryRateLimiter(),
    cache: new TieredEmbeddingCache(
      new LruEmbeddingCache({ maxBytes: settings.memoryCacheBytes }),
      sharedCache,
    ),
    edgeTower: settings.edgeTower ? model.edgeTower : undefined,
    edgeIdentity: settings.edgeTower ? model.edgeIdentity : undefined,
    backend: createBackend(settings),
    imageFetcher: new NodeSafeImageFetcher({
      maxPixels: settings.config.maxImagePixels,
      maxBytes: settings.config.maxImageBytes,
    }),
  }
}
