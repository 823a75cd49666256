// Which waiting items form the next batch. The oldest item always goes (no starvation); the rest
// are the items closest to its length, so short texts do not pay for a long one's padding.

export interface Selection {
  /** Indices into the pending list, ascending (arrival order). */
  indices: number[]
  /** True when the batch could not take every waiting item: it should run now. */
  full: boolean
}

export function selectBatch(
  pending: readonly { length: number }[],
  maxBatchSize: number,
  maxBatchTokens: number,
): Selection {
  const oldest = pending[0]
  if (oldest === undefined) return { indices: [], full: false }
  // Nearest lengths first; ties keep arrival order (Array.prototype.sort is stable).
  const candidates = pending
    .map((item, index) => ({ index, length: item.length }))
    .slice(1)
    .sort((a, b) => Math.abs(a.length - oldest.length) - Math.abs(b.length - oldest.length))
  const indices = [0]
  let longest = oldest.length
  let full = false
  for (const candidate of candidates) {
    if (indices.length >= maxBatchSize) {
      full = true
      break
    }
    const nextLongest = Math.max(longest, candidate.length)
    if (nextLongest * (indices.length + 1) > maxBatchTokens) {
      full = true
      continue
    }
    indices.push(candidate.index)
    longest = nextLongest
  }
  if (indices.length >= maxBatchSize) full = true
  return { indices: indices.sort((a, b) => a - b), full }
}
