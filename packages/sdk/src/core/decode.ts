// Turns the wire form of an embedding back into typed arrays, whatever encoding was asked for.
import { base64ToBytes } from '../internal/base64'
import { EdgeClipSDKError } from './errors'

/**
 * How vectors travel. `base64` (the default) is float32 little-endian in base64: the same
 * numbers as `float`, a third of the bytes. `binary`/`ubinary` are sign bits packed 8 per byte.
 */
export type Encoding = 'float' | 'base64' | 'binary' | 'ubinary'

/** Float32Array for float/base64; the packed sign bits (MSB first) for binary/ubinary. */
export type EmbeddingOf<E extends Encoding> = E extends 'binary' | 'ubinary' ? Uint8Array : Float32Array

/** Bytes of the int8 `binary` encoding sit 128 below the unsigned ones (numpy.packbits(v > 0) - 128). */
const BINARY_OFFSET = 128

export function decodeEmbedding<E extends Encoding>(wire: unknown, encoding: E): EmbeddingOf<E> {
  return decode(wire, encoding) as EmbeddingOf<E>
}

function decode(wire: unknown, encoding: Encoding): Float32Array | Uint8Array {
  switch (encoding) {
    case 'float':
      return Float32Array.from(numbers(wire, encoding))
    case 'base64':
      return float32FromLittleEndian(bytesOfBase64(wire))
    case 'ubinary':
      return typeof wire === 'string' ? bytesOfBase64(wire) : bytesInRange(numbers(wire, encoding), 0)
    case 'binary':
      return typeof wire === 'string'
        ? bytesOfBase64(wire).map((byte) => (byte + BINARY_OFFSET) & 0xff)
        : bytesInRange(numbers(wire, encoding), BINARY_OFFSET)
  }
}

/** Float32 from little-endian bytes, on any platform. */
export function float32FromLittleEndian(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) {
    throw new EdgeClipSDKError(`a float32 embedding needs a multiple of 4 bytes, got ${bytes.length}`)
  }
  const vector = new Float32Array(bytes.length / 4)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let index = 0; index < vector.length; index++) vector[index] = view.getFloat32(index * 4, true)
  return vector
}

function numbers(wire: unknown, encoding: Encoding): number[] {
  if (!Array.isArray(wire) || !wire.every((value) => typeof value === 'number')) {
    throw new EdgeClipSDKError(
      `expected an array of numbers for encoding '${encoding}', got ${describe(wire)}`,
    )
  }
  return wire
}

function bytesOfBase64(wire: unknown): Uint8Array {
  if (typeof wire !== 'string') {
    throw new EdgeClipSDKError(`expected a base64 string, got ${describe(wire)}`)
  }
  try {
    return base64ToBytes(wire)
  } catch (error) {
    throw new EdgeClipSDKError('the embedding is not valid base64', { cause: error })
  }
}

function bytesInRange(values: number[], offset: number): Uint8Array {
  const bytes = new Uint8Array(values.length)
  for (let index = 0; index < values.length; index++) {
    const byte = values[index]! + offset
    if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) {
      throw new EdgeClipSDKError(`packed-bit value ${values[index]} at ${index} is out of range`)
    }
    bytes[index] = byte
  }
  return bytes
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array with non-numbers'
  return value === null ? 'null' : typeof value
}
