// The payload of a hop between Workers: named tensors in one binary body. Layout: a little-endian
// uint32 header length, a JSON header [{ name, type, dims, offset, length }], then the data, 8-aligned.
import type { TensorData, TensorType, TensorValue } from '@edgeclip/core'
import type { TensorMap } from './edge-text-model'

interface Entry {
  name: string
  type: TensorType
  dims: number[]
  offset: number
  length: number
}

const ALIGNMENT = 8
const arrayTypes = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  float16: Uint16Array,
} as const

export function encodeTensorBundle(tensors: TensorMap): Uint8Array<ArrayBuffer> {
  let offset = 0
  const entries: Entry[] = Object.entries(tensors).map(([name, tensor]) => {
    offset = Math.ceil(offset / ALIGNMENT) * ALIGNMENT
    const entry = { name, type: tensor.type, dims: [...tensor.dims], offset, length: tensor.data.byteLength }
    offset += tensor.data.byteLength
    return entry
  })
  const header = new TextEncoder().encode(JSON.stringify(entries))
  const start = Math.ceil((4 + header.length) / ALIGNMENT) * ALIGNMENT
  const bytes = new Uint8Array(start + offset)
  new DataView(bytes.buffer).setUint32(0, header.length, true)
  bytes.set(header, 4)
  Object.values(tensors).forEach((tensor, index) => {
    const data = tensor.data
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start + entries[index]!.offset)
  })
  return bytes
}

export function decodeTensorBundle(bytes: Uint8Array): TensorMap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint32(0, true)
  const entries = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as Entry[]
  const start = Math.ceil((4 + headerLength) / ALIGNMENT) * ALIGNMENT
  // One aligned copy, so typed views over it are valid whatever the body's offset was.
  const body = bytes.slice(start)
  const tensors: TensorMap = {}
  for (const entry of entries) {
    const ArrayType = arrayTypes[entry.type]
    const data = new ArrayType(
      body.buffer,
      entry.offset,
      entry.length / ArrayType.BYTES_PER_ELEMENT,
    ) as TensorData
    tensors[entry.name] = { type: entry.type, data, dims: entry.dims } satisfies TensorValue
  }
  return tensors
}
