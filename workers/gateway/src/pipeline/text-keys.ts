// The one place the gateway turns a text into its token ids and exact cache key, with an L0 memo
// from the exact text to both: a repeated text skips tokenizing and hashing (on a cache hit, most
// of the work left). The memo never changes what key a text gets; it only remembers it.
import { type ModelSpec, textCacheKey } from '@edgeclip/core'
import { LRUCache } from 'lru-cache'
import type { GatewayDeps, TextTokenizer } from '../ports'

export interface TextKey {
  /** Frozen: shared by every request that sends this text. */
  ids: readonly number[]
  key: string
}

/** Memo budget per model scope: texts, ids and keys. */
export const TEXT_KEY_MEMO_BYTES = 8 * 1024 * 1024
/** Longer texts are not memoized: tokenizing them dwarfs nothing a memo would save, and they are rarely repeated. */
export const TEXT_KEY_MEMO_MAX_CHARS = 2_048

type Memo = LRUCache<string, TextKey>

/**
 * A text's key depends on the tokenizer (ids), the spec (max tokens, the key's prefix) and the
 * request's `truncate`; the memo is scoped by the first two (object identity) and keyed by the
 * last plus the text. Whatever else `textCacheKey` comes to read (a weights fingerprint, a
 * numerics variant) must be added to this scope.
 */
const memos = new WeakMap<TextTokenizer, WeakMap<ModelSpec, Memo>>()

function memoFor(deps: Pick<GatewayDeps, 'spec' | 'tokenizer'>): Memo {
  let bySpec = memos.get(deps.tokenizer)
  if (!bySpec) {
    bySpec = new WeakMap()
    memos.set(deps.tokenizer, bySpec)
  }
  let memo = bySpec.get(deps.spec)
  if (!memo) {
    memo = new LRUCache<string, TextKey>({
      maxSize: TEXT_KEY_MEMO_BYTES,
      // UTF-16 text, 8 bytes per id in a JS array, ASCII key.
      sizeCalculation: (value, lookup) => lookup.length * 2 + value.ids.length * 8 + value.key.length,
    })
    bySpec.set(deps.spec, memo)
  }
  return memo
}

const lookupOf = (text: string, truncate: boolean): string => `${truncate ? 'T' : 'F'}${text}`

export interface TextKeys {
  /** The remembered ids and key of `text`, or undefined (then tokenize and call `keyOf`). */
  remembered(text: string): TextKey | undefined
  /** The key of freshly tokenized `ids` of `text`, remembered for next time. */
  keyOf(text: string, ids: readonly number[]): Promise<string>
}

export function textKeys(deps: Pick<GatewayDeps, 'spec' | 'tokenizer'>, truncate: boolean): TextKeys {
  const memo = memoFor(deps)
  return {
    remembered: (text) =>
      text.length <= TEXT_KEY_MEMO_MAX_CHARS ? memo.get(lookupOf(text, truncate)) : undefined,
    async keyOf(text, ids) {
      const key = await textCacheKey(deps.spec, ids)
      if (text.length <= TEXT_KEY_MEMO_MAX_CHARS)
        memo.set(lookupOf(text, truncate), { ids: Object.freeze([...ids]), key })
      return key
    },
  }
}
