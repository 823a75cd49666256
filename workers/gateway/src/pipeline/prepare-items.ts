// Items to what the model and cache need: token ids for texts, bytes for images, and exact cache keys.
import { imageCacheKey } from '@edgeclip/core'
import type { GatewayConfig } from '../config'
import type { StageTimings } from '../middleware/timing'
import type { GatewayDeps } from '../ports'
import { atInput, type EmbedItem } from './input-items'
import { resolveImages } from './resolve-images'
import { type TextKey, textKeys } from './text-keys'

export type PreparedItem =
  | { kind: 'text'; ids: readonly number[]; tokens: number; key: string }
  | { kind: 'image'; bytes: Uint8Array; key: string }

/** Text tokenized between two turns of the event loop: a few milliseconds of work. */
export const YIELD_AFTER_CHARS = 256 * 1024

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve)
    else setTimeout(resolve, 0)
  })

export interface PrepareOptions {
  deps: Pick<GatewayDeps, 'spec' | 'tokenizer' | 'imageFetcher'>
  config: Pick<GatewayConfig, 'maxImageBytes' | 'maxImagePixels' | 'maxBodyBytes'>
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
    const encoded: (TextKey | { ids: readonly number[]; key?: undefined } | undefined)[] = []
    let charsSinceYield = 0
    for (const [index, item] of items.entries()) {
      if (item.kind !== 'text') {
        encoded.push(undefined)
        continue
      }
      const remembered = keys.remembered(item.text)
      if (remembered) {
        encoded.push(remembered)
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
        encoded.push(
          deps.tokenizer.encode(item.text, { maxLength: deps.spec.maxTokens, truncate: options.truncate }),
        )
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
  return timings.measure('cache', () =>
    Promise.all(
      items.map(async (_item, index): Promise<PreparedItem> => {
        const encoded = tokenized[index]
        if (encoded) {
          const item = items[index] as { text: string }
          const key = encoded.key ?? (await keys.keyOf(item.text, encoded.ids))
          return { kind: 'text', ids: encoded.ids, tokens: encoded.ids.length, key }
        }
        const bytes = images[index]!
        return { kind: 'image', bytes, key: await imageCacheKey(deps.spec, bytes) }
      }),
    ),
  )
}
