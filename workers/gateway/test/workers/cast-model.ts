// A one-node ONNX graph (input_ids int64 -> Cast -> float32), written by hand so the runtime check
// does not depend on any fixture builder.
const encoder = new TextEncoder()

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

const intField = (field: number, value: number) => [...varint(field << 3), ...varint(value)]
const bytesField = (field: number, body: readonly number[]) => [
  ...varint((field << 3) | 2),
  ...varint(body.length),
  ...body,
]
const stringField = (field: number, value: string) => bytesField(field, [...encoder.encode(value)])

const ONNX_FLOAT = 1
const ONNX_INT64 = 7
const ATTRIBUTE_INT = 2

function tensorInfo(name: string, elementType: number): number[] {
  const shape = [...bytesField(1, stringField(2, 'batch')), ...bytesField(1, stringField(2, 'sequence'))]
  const tensorType = [...intField(1, elementType), ...bytesField(2, shape)]
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))]
}

export function buildCastModel(): Uint8Array {
  const castTo = [...stringField(1, 'to'), ...intField(3, ONNX_FLOAT), ...intField(20, ATTRIBUTE_INT)]
  const node = [
    ...stringField(1, 'input_ids'),
    ...stringField(2, 'values'),
    ...stringField(4, 'Cast'),
    ...bytesField(5, castTo),
  ]
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, 'cast'),
    ...bytesField(11, tensorInfo('input_ids', ONNX_INT64)),
    ...bytesField(12, tensorInfo('values', ONNX_FLOAT)),
  ]
  const opset = intField(2, 13)
  return new Uint8Array([...intField(1, 8), ...bytesField(7, graph), ...bytesField(8, opset)])
}
