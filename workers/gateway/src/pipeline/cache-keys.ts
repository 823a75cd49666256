// The gateway's one place for cache keys (core's textCacheKey/imageCacheKey build them). A key names
// the tower that computes the item: the edge tower's identity for texts routed to the edge, the
// backend's for the rest. A vector is stored under the identity of the tower that really made it
// (a text the edge could not serve is stored under the backend's key), and an item whose tower is
// unknown is neither looked up nor stored.
import {
  type BackendIdentity,
  imageCacheKey,
  type ModelSpec,
  type TowerIdentity,
  textCacheKey,
} from '@edgeclip/core'
import type { GatewayDeps } from '../ports'

export type KeyedInput = { kind: 'text'; ids: readonly number[] } | { kind: 'image'; bytes: Uint8Array }

/** The identities a request's keys are built from, resolved once per request. */
export interface KeyPlan {
  edge: TowerIdentity | undefined
  backend: BackendIdentity | undefined
}

/**
 * Keys items whose tower is unknown for deduplication inside one request only; such keys are never
 * looked up or written (`cacheable: false`).
 */
const UNKNOWN_TOWER: TowerIdentity = { weights: 'unknown', numerics: 'unknown' }

export const cacheKeyOf = (spec: ModelSpec, input: KeyedInput, tower: TowerIdentity): Promise<string> =>
  input.kind === 'text'
    ? textCacheKey({ spec, tower }, input.ids)
    : imageCacheKey({ spec, tower }, input.bytes)

/** The backend tower that computes `input`, by what the backend said about itself. */
export const backendTowerFor = (
  input: Pick<KeyedInput, 'kind'>,
  identity: BackendIdentity | undefined,
): TowerIdentity | undefined => (input.kind === 'text' ? identity?.text : identity?.image)

/** Asks the backend who it is only when an item will need it; a failed answer means "unknown". */
export async function resolveKeyPlan(
  deps: Pick<GatewayDeps, 'edgeIdentity' | 'backend'>,
  needsBackend: boolean,
  signal?: AbortSignal,
): Promise<KeyPlan> {
  let backend: BackendIdentity | undefined
  if (needsBackend && deps.backend?.identity) {
    try {
      backend = await deps.backend.identity(signal ? { signal } : {})
    } catch (error) {
      console.warn('backend identity unknown; its items are not looked up in the cache:', error)
    }
  }
  return { edge: deps.edgeIdentity, backend }
}

/** The lookup key for an item and whether the cache may be asked for it. */
export async function plannedKey(
  spec: ModelSpec,
  input: KeyedInput,
  tower: TowerIdentity | undefined,
): Promise<{ key: string; cacheable: boolean }> {
  return { key: await cacheKeyOf(spec, input, tower ?? UNKNOWN_TOWER), cacheable: tower !== undefined }
}
