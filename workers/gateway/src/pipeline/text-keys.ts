// The one place the gateway turns a text into its token ids and exact cache key, with an L0 memo
// from the exact text to both: a repeated text skips tokenizing and hashing (on a cache hit, most
// of the work left). The memo never changes what key a text gets; it only remembers it.
import type { ModelSpec, TowerIdentity } from '@edgeclip/core'
import { LRUCache } from 'lru-cache'
import type { GatewayDeps, TextTokenizer } from '../ports'
import { cacheKeyOf } from './cache-keys'

interface Remembered {
  /** Frozen: shared by every request that sends this text. */
  ids: readonly number[]
  /** The text's key per tower identity (`weights\0numerics`): edge and backend keys differ. */
  keys: Map<string, string>
}

/** Memo budget per model scope: texts, ids and keys. */
export const TEXT_KEY_MEMO_BYTES = 8 * 1024 * 1024
/** Longer texts are not memoized: tokenizing them dwarfs nothing a memo would save, and they are rarely repeated. */
export const TEXT_KEY_MEMO_MAX_CHARS = 2_048
/**
 * Towers whose keys one text remembers: the edge's and the backend's, and a redeploy's while both
 * serve. More than that means identities churn; the text's keys then start over.
 */
const KEYS_PER_TEXT = 4
/** Bytes one remembered key takes: 'x:' + 64 hex digits, its tower tag (two hashes and a variant). */
const KEY_ENTRY_BYTES = 256

type Memo = LRUCache<string, Remembered>

/**
 * A text's ids depend on the tokenizer and the spec (max tokens) and the request's `truncate`; its
 * key also on the tower (kept per tower inside the entry). The memo is scoped by tokenizer and
 * spec (object identity) and keyed by `truncate` plus the text.
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
    memo = new LRUCache<string, Remembered>({
      maxSize: TEXT_KEY_MEMO_BYTES,
      // UTF-16 text, 8 bytes per id in a JS array, room for every key the entry may hold.
      sizeCalculation: (value, lookup) =>
        lookup.length * 2 + value.ids.length * 8 + KEYS_PER_TEXT * KEY_ENTRY_BYTES,
    })
    bySpec.set(deps.spec, memo)
  }
  return memo
}

const lookupOf = (text: string, truncate: boolean): string => `${truncate ? 'T' : 'F'}${text}`
const towerTag = (tower: TowerIdentity): string => `${tower.weights}\0${tower.numerics}`

export interface TextKeys {
  /** The remembered ids of `text`, or undefined (then tokenize and `remember` them). */
  remembered(text: string): readonly number[] | undefined
  /** Remembers freshly tokenized `ids` of `text`; returns the ids to use from now on. */
  remember(text: string, ids: readonly number[]): readonly number[]
  /** The key of `text` (tokenized as `ids`) under `tower`, remembered for next time. */
  keyOf(text: string, ids: readonly number[], tower: TowerIdentity): Promise<string>
}

export function textKeys(deps: Pick<GatewayDeps, 'spec' | 'tokenizer'>, truncate: boolean): TextKeys {
  const memo = memoFor(deps)
  const entryOf = (text: string) =>
    text.length <= TEXT_KEY_MEMO_MAX_CHARS ? memo.get(lookupOf(text, truncate)) : undefined
  return {
    remembered: (text) => entryOf(text)?.ids,
    remember(text, ids) {
      if (text.length > TEXT_KEY_MEMO_MAX_CHARS) return ids
      const frozen = Object.freeze([...ids])
      memo.set(lookupOf(text, truncate), { ids: frozen, keys: new Map() })
      return frozen
    },
    async keyOf(text, ids, tower) {
      const entry = entryOf(text)
      const tag = towerTag(tower)
      const known = entry?.keys.get(tag)
      if (known !== undefined) return known
      const key = await cacheKeyOf(deps.spec, { kind: 'text', ids }, tower)
      if (entry) {
        if (entry.keys.size >= KEYS_PER_TEXT) entry.keys.clear()
        entry.keys.set(tag, key)
      }
      return key
    },
  }
}
