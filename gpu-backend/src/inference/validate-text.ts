// Token ids arrive already tokenized and truncated by the gateway (they are its cache key); the
// backend only refuses what would break the graph: empty, too long, or ids outside the table.
import type { ModelSpec } from '@edgeclip/core'
import { type ItemFailure, itemFailure } from './item-failure'

export function validateTextIds(ids: readonly number[], spec: ModelSpec): ItemFailure | undefined {
  if (ids.length === 0) return itemFailure(400, 'empty_input', 'text item has no token ids')
  if (ids.length > spec.maxTokens) {
    return itemFailure(
      400,
      'context_length_exceeded',
      `text item has ${ids.length} tokens; ${spec.id} takes at most ${spec.maxTokens}`,
    )
  }
  const rows = spec.tokenizer.embeddingRows
  const outOfRange = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= rows)
  if (outOfRange !== undefined) {
    return itemFailure(400, 'invalid_token_id', `token id ${outOfRange} is outside 0..${rows - 1}`)
  }
  return undefined
}
