// POST /v1/embeddings without HTTP: validate -> prepare -> dedupe -> cache -> embed misses ->
// merge in input order -> normalize -> encode, plus a cache write-back that runs after the response.
import { encodeEmbedding, sameTowerIdentity, type TowerIdentity } from '@edgeclip/core'
import type { GatewayConfig } from '../config'
import type { StageTimings } from '../middleware/timing'
import type { GatewayDeps } from '../ports'
import type { EmbeddingsRequest, EmbeddingsResponse } from '../schemas'
import { cacheKeyOf } from './cache-keys'
import { dedupeKeys } from './dedupe'
import { embedMisses, type Miss, type Route } from './embed-misses'
import { encodeFragment, fragmentKey, fragmentsFor, renderEmbeddingsJson } from './encoded-fragments'
import { toEmbedItems } from './input-items'
import { l2Normalize } from './l2-normalize'
import { checkModel, resolveOutputOptions } from './output-options'
import { type PreparedItem, prepareItems } from './prepare-items'

export type RouteHeader = 'cache' | Route | 'mixed'
export type CacheHeader = 'hit' | 'miss' | 'partial' | 'unavailable'

export interface EmbedContext {
  deps: GatewayDeps
  config: GatewayConfig
  timings: StageTimings
  requestId?: string
  signal?: AbortSignal
  /** Charges tokens to the caller's rate limit once they are known; throws 429 to stop. */
  chargeTokens?: (tokens: number) => Promise<void>
}

export interface EmbedOutcome {
  /** The response body as sent: UTF-8 JSON. */
  json: Uint8Array<ArrayBuffer>
  /** `json` parsed (for callers that want objects; the route sends `json` as is). */
  readonly body: EmbeddingsResponse
  route: RouteHeader
  cache: CacheHeader
}

/** Rows for the cacheable keys; an uncacheable key (its tower unknown) is a miss without asking. */
async function lookUp(
  cache: GatewayDeps['cache'],
  keys: readonly string[],
  cacheable: readonly boolean[],
  dimensions: number,
) {
  const asked = keys.filter((_, slot) => cacheable[slot])
  try {
    const found = asked.length > 0 ? await cache.getMany(asked) : []
    let cursor = 0
    // A row of the wrong width (another model's, a torn write) or with NaNs (written by an older
    // gateway from a broken tower) is a miss, not an answer; its fresh row replaces it.
    return keys.map((_, slot) => {
      if (!cacheable[slot]) return undefined
      const row = found[cursor++]
      return row?.length === dimensions && row.every(Number.isFinite) ? row : undefined
    })
  } catch (error) {
    console.warn('embedding cache lookup failed; serving without cache:', error)
    return undefined
  }
}

/** The key a fresh row is stored under: the tower that really computed it, or none when unknown. */
async function storeKey(
  item: PreparedItem,
  tower: TowerIdentity | undefined,
  spec: GatewayDeps['spec'],
): Promise<string | undefined> {
  if (tower === undefined) return undefined
  if (item.cacheable && sameTowerIdentity(item.tower, tower)) return item.key
  // Another tower served it (the edge fell back to the backend, or the backend was redeployed).
  return cacheKeyOf(spec, item, tower)
}

function summarize(routes: readonly (Route | 'cache')[], cacheAvailable: boolean) {
  const hits = routes.filter((route) => route === 'cache').length
  const computed = new Set(routes.filter((route) => route !== 'cache'))
  const route: RouteHeader =
    computed.size === 0 ? 'cache' : computed.size === 1 && hits === 0 ? [...computed][0]! : 'mixed'
  const cache: CacheHeader = !cacheAvailable
    ? 'unavailable'
    : hits === routes.length
      ? 'hit'
      : hits === 0
        ? 'miss'
        : 'partial'
  return { route, cache }
}

export async function embedRequest(request: EmbeddingsRequest, context: EmbedContext): Promise<EmbedOutcome> {
  const { deps, config, timings } = context
  const model = checkModel(request.model, deps.spec)
  const output = resolveOutputOptions(request, deps.spec)
  const single = typeof request.input === 'string'
  const items = toEmbedItems(request.input, config.maxInputs)
  const prepared = await prepareItems(items, {
    deps,
    config,
    timings,
    truncate: request.truncate ?? false,
    single,
    ...(context.signal ? { signal: context.signal } : {}),
  })
  const promptTokens = prepared.reduce(
    (sum, item) => sum + (item.kind === 'text' ? item.tokens : config.imageTokens),
    0,
  )
  await context.chargeTokens?.(promptTokens)

  const { uniqueKeys, slotOfItem, firstItemOfSlot } = dedupeKeys(prepared.map((item) => item.key))
  const cacheable = firstItemOfSlot.map((index) => prepared[index]!.cacheable)
  const cached = await timings.measure('cache', () =>
    lookUp(deps.cache, uniqueKeys, cacheable, deps.spec.dimensions),
  )
  const vectors: (Float32Array | undefined)[] = cached ?? uniqueKeys.map(() => undefined)
  const routes: (Route | 'cache')[] = vectors.map((row) => (row ? 'cache' : 'backend'))

  const missSlots = vectors.flatMap((row, slot) => (row ? [] : [slot]))
  if (missSlots.length > 0) {
    const misses: Miss[] = missSlots.map((slot) => {
      const inputIndex = firstItemOfSlot[slot]!
      return { item: prepared[inputIndex] as PreparedItem, inputIndex }
    })
    const computed = await embedMisses(misses, { ...context, single })
    missSlots.forEach((slot, position) => {
      vectors[slot] = computed.vectors[position]
      routes[slot] = computed.routes[position]!
    })
    const keys = await Promise.all(
      misses.map(({ item }, position) => storeKey(item, computed.towers[position], deps.spec)),
    )
    const entries = misses.flatMap((_, position) => {
      const key = keys[position]
      return key === undefined ? [] : [{ key, vector: computed.vectors[position]! }]
    })
    if (entries.length > 0) {
      deps.waitUntil(
        deps.cache
          .setMany(entries)
          .catch((error: unknown) => console.warn('embedding cache write-back failed:', error)),
      )
    }
  }

  const embeddings = await timings.measure('encode', () => {
    const fragments = fragmentsFor(deps.cache)
    const bySlot: Uint8Array[] = []
    return slotOfItem.map((slot) => {
      const known = bySlot[slot]
      if (known !== undefined) return known
      const key = fragmentKey(uniqueKeys[slot]!, output)
      // Only a row the cache itself answered may reuse its text; a fresh row is encoded anew.
      let fragment = routes[slot] === 'cache' ? fragments.get(key) : undefined
      if (fragment === undefined) {
        let vector = vectors[slot]!
        if (output.dimensions < vector.length) vector = vector.subarray(0, output.dimensions)
        if (output.normalized) vector = l2Normalize(vector)
        fragment = encodeFragment(encodeEmbedding(vector, output.type))
        fragments.set(key, fragment)
      }
      bySlot[slot] = fragment
      return fragment
    })
  })
  const json = renderEmbeddingsJson({ model, embeddings, promptTokens })
  return {
    json,
    get body() {
      return JSON.parse(new TextDecoder().decode(json)) as EmbeddingsResponse
    },
    ...summarize(routes, cached !== undefined),
  }
}
