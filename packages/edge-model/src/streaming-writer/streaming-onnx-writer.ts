// Writes an ONNX model whose initializers are produced one at a time, so a 550 MB model never sits
// in memory whole: protobuf needs each length up front, and a raw-data tensor's length is known
// from its shape before its values exist.
import { open } from 'node:fs/promises'
import { type NodeProto, onnx, type ValueInfoProto } from '../onnx-graph'

export interface LazyTensor {
  name: string
  dims: readonly number[]
  /** ONNX element type (1 float32, 7 int64...). */
  dataType: number
  byteLength: number
  /** Called once, when the tensor is written. */
  produce(): ArrayBufferView
}

export interface StreamingModel {
  name: string
  opset: { domain: string; version: number }[]
  nodes: NodeProto[]
  inputs: ValueInfoProto[]
  outputs: ValueInfoProto[]
  initializers: LazyTensor[]
}

const IR_VERSION = 8

function varint(value: number): number[] {
  const bytes: number[] = []
  let rest = value
  while (rest > 0x7f) {
    bytes.push((rest % 128) | 0x80)
    rest = Math.floor(rest / 128)
  }
  bytes.push(rest)
  return bytes
}

const lengthDelimited = (field: number, length: number): Uint8Array =>
  Uint8Array.from([...varint((field << 3) | 2), ...varint(length)])

/** The TensorProto bytes before its raw data (dims, type, name, raw_data tag and length). */
function tensorHeader(tensor: LazyTensor): Uint8Array {
  const head = onnx.TensorProto.encode(
    onnx.TensorProto.create({ dims: [...tensor.dims], dataType: tensor.dataType, name: tensor.name }),
  ).finish()
  const raw = lengthDelimited(9, tensor.byteLength)
  const bytes = new Uint8Array(head.length + raw.length)
  bytes.set(head)
  bytes.set(raw, head.length)
  return bytes
}

export async function writeOnnxStreaming(path: string, model: StreamingModel): Promise<number> {
  const small = onnx.GraphProto.encode(
    onnx.GraphProto.create({
      name: model.name,
      node: model.nodes,
      input: model.inputs,
      output: model.outputs,
    }),
  ).finish()
  const headers = model.initializers.map(tensorHeader)
  const initializerFields = model.initializers.map((tensor, index) => {
    const length = headers[index]!.length + tensor.byteLength
    return { tag: lengthDelimited(5, length), length }
  })
  const graphLength =
    small.length + initializerFields.reduce((sum, field) => sum + field.tag.length + field.length, 0)
  const envelope = onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'edgeclip',
      opsetImport: model.opset.map((entry) => onnx.OperatorSetIdProto.create(entry)),
    }),
  ).finish()
  const file = await open(path, 'w')
  let written = 0
  const write = async (bytes: ArrayBufferView) => {
    await file.write(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    written += bytes.byteLength
  }
  try {
    await write(envelope)
    await write(lengthDelimited(7, graphLength))
    await write(small)
    for (const [index, tensor] of model.initializers.entries()) {
      await write(initializerFields[index]!.tag)
      await write(headers[index]!)
      const values = tensor.produce()
      if (values.byteLength !== tensor.byteLength) {
        throw new Error(
          `initializer ${tensor.name} produced ${values.byteLength} bytes, declared ${tensor.byteLength}`,
        )
      }
      await write(values)
    }
  } finally {
    await file.close()
  }
  return written
}
