// The GPU backend as the gateway sees it: one batched call for texts and images.
import type { BackendItem, BackendResult } from '../backend-protocol'
import type { BackendIdentity } from '../cache-key'

export interface BackendCallOptions {
  signal?: AbortSignal
  requestId?: string
  /**
   * The model revision the caller's token ids and cache keys belong to; a backend serving another
   * revision refuses the batch instead of answering vectors from different weights.
   */
  revision?: string
}

export interface Backend {
  readonly name: string
  embedBatch(
    model: string,
    items: readonly BackendItem[],
    options?: BackendCallOptions,
  ): Promise<BackendResult>
  /** Cheap reachability check for /readyz. */
  ready(options?: BackendCallOptions): Promise<boolean>
  /**
   * The towers the backend computes with, for cache lookups before a call: the identity its last
   * answer carried, else asked once. Undefined when unknown: the gateway then looks nothing up.
   */
  identity?(options?: BackendCallOptions): Promise<BackendIdentity | undefined>
}
