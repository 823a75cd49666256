// Vectors travel to byte stores (KV, SQLite, Redis) as raw float32 in host byte order; every
// host we run on (x86-64, arm64, workerd) is little-endian, which matches the backend protocol.

export function vectorToBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength).slice()
}

/** Undefined for a value that cannot be a float32 row (corrupt or foreign entry): callers treat it as a miss. */
export function bytesToVector(bytes: Uint8Array | ArrayBuffer): Float32Array | undefined {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  if (view.byteLength === 0 || view.byteLength % Float32Array.BYTES_PER_ELEMENT !== 0) return undefined
  // Copy with the constructor, not slice(): Buffer#slice is a view into a shared, unaligned pool.
  return new Float32Array(new Uint8Array(view).buffer)
}
