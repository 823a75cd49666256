// Vector helpers for search over the rows `embed` returns, so small apps need no vector library.
import { EdgeClipSDKError } from './errors'

type Vector = ArrayLike<number>

/** Cosine of the angle between two vectors; 0 when either is all zeros. */
export function cosineSimilarity(a: Vector, b: Vector): number {
  if (a.length !== b.length) {
    throw new EdgeClipSDKError(
      `cosineSimilarity needs vectors of one length, got ${a.length} and ${b.length}`,
    )
  }
  let dot = 0
  let normA = 0
  let normB = 0
  for (let index = 0; index < a.length; index++) {
    const x = a[index]!
    const y = b[index]!
    dot += x * y
    normA += x * x
    normB += y * y
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB)
}

export interface ScoredMatch {
  /** Position of the candidate in the list given to topK. */
  index: number
  score: number
}

/** The `k` candidates most similar to `query`, best first (ties keep candidate order). */
export function topK(query: Vector, candidates: readonly Vector[], k: number): ScoredMatch[] {
  if (!Number.isInteger(k) || k < 0) throw new EdgeClipSDKError(`topK needs a whole k >= 0, got ${k}`)
  return candidates
    .map((candidate, index) => ({ index, score: cosineSimilarity(query, candidate) }))
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .slice(0, k)
}
