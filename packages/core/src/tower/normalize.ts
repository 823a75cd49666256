/**
 * L2-normalizes a vector into a new array, leaving the input untouched because
 * callers often keep the raw tower output for cache entries.
 * A zero vector stays zero rather than turning into NaNs.
 */
export function l2Normalize(vector: Float32Array): Float32Array {
  let sumOfSquares = 0
  for (const value of vector) sumOfSquares += value * value
  const normalized = new Float32Array(vector.length)
  if (sumOfSquares === 0) return normalized
  const scale = 1 / Math.sqrt(sumOfSquares)
  for (let index = 0; index < vector.length; index++) {
    normalized[index] = (vector[index] ?? 0) * scale
  }
  return normalized
}
