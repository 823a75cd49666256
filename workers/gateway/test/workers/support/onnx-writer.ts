// Just enough of the ONNX protobuf format to write small graphs by hand (runtime-agnostic).
const encoder = new TextEncoder()

export type Bytes = readonly number[] | Uint8Array

function varint(value: number): number[] {
  const bytes: number[] = []
  let rest = value
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80)
    rest = Math.floor(rest / 128)
  }
  bytes.push(rest)
  return bytes
}

function concat(parts: readonly Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

export const message = (...fields: Bytes[]): Uint8Array => concat(fields)
export const intField = (field: number, value: number): Bytes => [...varint(field << 3), ...varint(value)]
export const bytesField = (field: number, body: Bytes): Uint8Array =>
  concat([varint((field << 3) | 2), varint(body.length), body])
export const stringField = (field: number, value: string): Uint8Array =>
  bytesField(field, encoder.encode(value))

export const ElementType = { float: 1, bool: 9, int64: 7 } as const

/** A ValueInfoProto for a graph input or output with named dimensions. */
export function tensorInfo(
  name: string,
  elementType: number,
  dims: readonly (string | number)[],
): Uint8Array {
  const shape = message(
    ...dims.map((dim) => bytesField(1, typeof dim === 'string' ? stringField(2, dim) : intField(1, dim))),
  )
  const tensorType = message(intField(1, elementType), bytesField(2, shape))
  return message(stringField(1, name), bytesField(2, bytesField(1, tensorType)))
}

/** A NodeProto; attributes are ints only. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, number> = {},
): Uint8Array {
  const ATTRIBUTE_INT = 2
  return message(
    ...inputs.map((input) => stringField(1, input)),
    ...outputs.map((output) => stringField(2, output)),
    stringField(4, opType),
    ...Object.entries(attributes).map(([name, value]) =>
      bytesField(5, message(stringField(1, name), intField(3, value), intField(20, ATTRIBUTE_INT))),
    ),
  )
}

/** A TensorProto initializer holding float32 or int64 values as raw little-endian bytes. */
export function initializer(
  name: string,
  dims: readonly number[],
  values: Float32Array | BigInt64Array,
): Uint8Array {
  const elementType = values instanceof Float32Array ? ElementType.float : ElementType.int64
  return message(
    ...dims.map((dim) => intField(1, dim)),
    intField(2, elementType),
    stringField(8, name),
    bytesField(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
  )
}

export function model(graph: {
  name: string
  nodes: readonly Uint8Array[]
  initializers?: readonly Uint8Array[]
  inputs: readonly Uint8Array[]
  outputs: readonly Uint8Array[]
  opset: number
}): Uint8Array {
  const graphBytes = message(
    ...graph.nodes.map((entry) => bytesField(1, entry)),
    stringField(2, graph.name),
    ...(graph.initializers ?? []).map((entry) => bytesField(5, entry)),
    ...graph.inputs.map((entry) => bytesField(11, entry)),
    ...graph.outputs.map((entry) => bytesField(12, entry)),
  )
  const IR_VERSION = 8
  return message(intField(1, IR_VERSION), bytesField(7, graphBytes), bytesField(8, intField(2, graph.opset)))
}
