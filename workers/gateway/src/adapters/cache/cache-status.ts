// Proposed addition to core's EmbeddingCache contract: an optional health probe, so the app can
// say `x-edgeclip-cache-status: degraded` while a shared tier is down and the local one serves.
import type { EmbeddingCache } from '@edgeclip/core'

export type CacheStatus = 'ok' | 'degraded'

export interface ObservableEmbeddingCache extends EmbeddingCache {
  status(): CacheStatus
  /** The last failure of a lower tier, kept until a call to that tier succeeds again. */
  readonly lastError: unknown
}

export function cacheStatus(cache: EmbeddingCache): CacheStatus {
  const candidate = cache as Partial<ObservableEmbeddingCache>
  return typeof candidate.status === 'function' ? candidate.status() : 'ok'
}
