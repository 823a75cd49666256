// Unit length per row; a zero row stays zero rather than turning into NaNs.
export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0
  for (const value of vector) sum += value * value
  const norm = Math.sqrt(sum)
  const out = new Float32Array(vector.length)
  if (norm === 0) return out
  for (let index = 0; index < vector.length; index++) out[index] = vector[index]! / norm
  return out
}
