// Output encodings of the embeddings API, as Jina and OpenAI define them, with their decoders.
// binary/ubinary pack sign bits 8 per byte, most significant bit first (numpy.packbits(v > 0));
// ubinary is those bytes unsigned, binary the same bits as int8 (byte - 128), as Jina's API does.

export type EmbeddingType = 'float' | 'base64' | 'binary' | 'ubinary'

export const embeddingTypes: readonly EmbeddingType[] = ['float', 'base64', 'binary', 'ubinary']

export type EncodedEmbedding = number[] | string

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const BASE64_LOOKUP = new Int16Array(128).fill(-1)
for (let index = 0; index < BASE64_ALPHABET.length; index++)
  BASE64_LOOKUP[BASE64_ALPHABET.charCodeAt(index)] = index

export function bytesToBase64(bytes: Uint8Array): string {
  let out = ''
  let index = 0
  for (; index + 2 < bytes.length; index += 3) {
    const n = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!
    out +=
      BASE64_ALPHABET[n >> 18]! +
      BASE64_ALPHABET[(n >> 12) & 63]! +
      BASE64_ALPHABET[(n >> 6) & 63]! +
      BASE64_ALPHABET[n & 63]!
  }
  const rest = bytes.length - index
  if (rest === 1) {
    const n = bytes[index]! << 16
    out += `${BASE64_ALPHABET[n >> 18]!}${BASE64_ALPHABET[(n >> 12) & 63]!}==`
  } else if (rest === 2) {
    const n = (bytes[index]! << 16) | (bytes[index + 1]! << 8)
    out += `${BASE64_ALPHABET[n >> 18]!}${BASE64_ALPHABET[(n >> 12) & 63]!}${BASE64_ALPHABET[(n >> 6) & 63]!}=`
  }
  return out
}

/** Strict base64 (standard alphabet, optional padding, no whitespace); undefined when malformed. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  let end = text.length
  if (end % 4 === 1) return undefined
  if (text.endsWith('==')) end -= 2
  else if (text.endsWith('=')) end -= 1
  if (text.length % 4 !== 0 && end !== text.length) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let buffer = 0
  let bits = 0
  let position = 0
  for (let index = 0; index < end; index++) {
    const code = text.charCodeAt(index)
    const value = code < 128 ? BASE64_LOOKUP[code]! : -1
    if (value < 0) return undefined
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[position++] = (buffer >> bits) & 0xff
    }
  }
  // Leftover bits must be zero, or the text is not canonical base64 of any bytes.
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined
  return out
}

/** Float32 little-endian bytes of a vector, whatever the platform's endianness. */
export function float32ToBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4)
  const view = new DataView(bytes.buffer)
  for (let index = 0; index < vector.length; index++) view.setFloat32(index * 4, vector[index]!, true)
  return bytes
}

export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0)
    throw new RangeError(`float32 data must be a multiple of 4 bytes, got ${bytes.length}`)
  const vector = new Float32Array(bytes.length / 4)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let index = 0; index < vector.length; index++) vector[index] = view.getFloat32(index * 4, true)
  return vector
}

/** Sign bits, 8 per byte, most significant first; bit set when value > 0. */
export function packSignBits(vector: Float32Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(vector.length / 8))
  for (let index = 0; index < vector.length; index++) {
    if (vector[index]! > 0) out[index >> 3]! |= 0x80 >> (index & 7)
  }
  return out
}

export function unpackSignBits(packed: Uint8Array, dimensions: number): Float32Array {
  const out = new Float32Array(dimensions)
  for (let index = 0; index < dimensions; index++)
    out[index] = packed[index >> 3]! & (0x80 >> (index & 7)) ? 1 : -1
  return out
}

export function encodeEmbedding(vector: Float32Array, type: EmbeddingType): EncodedEmbedding {
  switch (type) {
    case 'float':
      return Array.from(vector)
    case 'base64':
      return bytesToBase64(float32ToBytes(vector))
    case 'ubinary':
      return Array.from(packSignBits(vector))
    case 'binary':
      return Array.from(packSignBits(vector), (byte) => byte - 128)
  }
}

/** Decodes any encoding back: float/base64 to floats, binary/ubinary to ±1 per dimension. */
export function decodeEmbedding(
  encoded: EncodedEmbedding,
  type: EmbeddingType,
  dimensions: number,
): Float32Array {
  switch (type) {
    case 'float':
      return Float32Array.from(encoded as number[])
    case 'base64': {
      const bytes = base64ToBytes(encoded as string)
      if (!bytes) throw new RangeError('embedding is not valid base64')
      return bytesToFloat32(bytes)
    }
    case 'ubinary':
      return unpackSignBits(Uint8Array.from(encoded as number[]), dimensions)
    case 'binary':
      return unpackSignBits(
        Uint8Array.from(encoded as number[], (value) => value + 128),
        dimensions,
      )
  }
}
