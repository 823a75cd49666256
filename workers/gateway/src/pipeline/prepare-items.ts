// Items to what the model and cache need: token ids for texts, bytes for images, and exact cache keys
// under the identity of the tower each item is routed to.
import type { TowerIdentity } from '@edgeclip/core'
import type { GatewayConfig } from '../config'
import type { StageTimings } from '../middleware/timing'
import type { GatewayDeps } from '../ports'
import { backendTowerFor, plannedKey, resolveKeyPlan } from './cache-keys'
import { routeFor } from './embed-misses'
import { atInput, type EmbedItem } from './input-items'
import { resolveImages } from './resolve-images'
import { textKeys } from './text-keys'

/** `key` names `tower`, the tower the item is routed to; `cacheable` is false when it is unknown. */
interface Keyed {
  key: string
  cacheable: boolean
  tower: TowerIdentity | undefined
}

export type PreparedItem =
  | ({ kind: 'text'; ids: readonly number[]; tokens: number } & Keyed)
  | ({ kind: 'image'; bytes: Uint8Array } & Keyed)

/** Text tokenized between two turns of the event loop: a few milliseconds of work. */
export const YIELD_AFTER_CHARS = 256 * 1024

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve)
    else setTimeout(resolve, 0)
  })

export interface PrepareOptions {
  deps: Pick<GatewayDeps, 'spec' | 'tokenizer' | 'imageFetcher' | 'edgeTower' | 'edgeIdentity' | 'backend'>
  config: Pick<GatewayConfig, 'maxImageBytes' | 'maxImagePixels' | 'maxBodyBytes' | 'edgeMaxTokens'>
  timings: StageTimings
  truncate: boolean
  /** True when `input` was a lone string: errors then name `input`, not `input[0]`. */
  single: boolean
  signal?: AbortSignal
}

export async function prepareItems(
  items: readonly EmbedItem[],
  options: PrepareOptions,
): Promise<PreparedItem[]> {
  const { deps, config, timings, single } = options
  const keys = textKeys(deps, options.truncate)
  const tokenized = await timings.measure('tokenize', async () => {
    const encoded: ({ ids: readonly number[] } | undefined)[] = []
    let charsSinceYield = 0
    for (const [index, item] of items.entries()) {
      if (item.kind !== 'text') {
        encoded.push(undefined)
        continue
      }
      const remembered = keys.remembered(item.text)
      if (remembered) {
        encoded.push({ ids: remembered })
        continue
      }
      // Tokenizing is synchronous: a 30 MB request would hold the event loop (every other request,
      // health probes) for a second or more without a turn between its texts.
      if (charsSinceYield >= YIELD_AFTER_CHARS) {
        charsSinceYield = 0
        await yieldToEventLoop()
        // ...and a caller who left meanwhile gets no more of it.
        options.signal?.throwIfAborted()
      }
      charsSinceYield += item.text.length
      try {
        const { ids } = deps.tokenizer.encode(item.text, {
          maxLength: deps.spec.maxTokens,
          truncate: options.truncate,
        })
        encoded.push({ ids: keys.remember(item.text, ids) })
      } catch (error) {
        throw atInput(error, index, single)
      }
    }
    return encoded
  })
  const images = items.some((item) => item.kind === 'image')
    ? await timings.measure('image', () =>
        resolveImages(
          items.map((item) => (item.kind === 'image' ? item.source : undefined)),
          {
            fetcher: deps.imageFetcher,
            maxImageBytes: config.maxImageBytes,
            maxImagePixels: config.maxImagePixels,
            maxTotalBytes: config.maxBodyBytes,
            single,
            ...(options.signal ? { signal: options.signal } : {}),
          },
        ),
      )
    : items.map(() => undefined)
  const hasEdgeTower = deps.edgeTower !== undefined
  const routed = items.map((_item, index) => {
    const encoded = tokenized[index]
    const input = encoded
      ? { kind: 'text' as const, ids: encoded.ids, tokens: encoded.ids.length }
      : { kind: 'image' as const, bytes: images[index]! }
    return { input, route: routeFor(input, hasEdgeTower, config.edgeMaxTokens) }
  })
  return timings.measure('cache', async () => {
    const needsBackend = routed.some(({ route }) => route === 'backend')
    const plan = await resolveKeyPlan(deps, needsBackend, options.signal)
    return Promise.all(
      routed.map(async ({ input, route }, index): Promise<PreparedItem> => {
        const tower = route === 'edge' ? plan.edge : backendTowerFor(input, plan.backend)
        const item = items[index]!
        // A text's key under a known tower comes from the L0 memo (same key, without the hashing).
        if (input.kind === 'text' && tower && item.kind === 'text') {
          return { ...input, tower, key: await keys.keyOf(item.text, input.ids, tower), cacheable: true }
        }
        return { ...input, tower, ...(await plannedKey(deps.spec, input, tower)) }
      }),
    )
  })
}
