// Read, edit and write ONNX models through onnx-proto's generated protobuf classes.
import onnxProto from 'onnx-proto'

export const { onnx } = onnxProto
export type ModelProto = onnxProto.onnx.ModelProto
export type GraphProto = onnxProto.onnx.IGraphProto
export type NodeProto = onnxProto.onnx.INodeProto
export type TensorProto = onnxProto.onnx.ITensorProto
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto

export const DataType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const
export const MICROSOFT_DOMAIN = 'com.microsoft'

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes)
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish()
}

/** protobufjs hands int64 fields back as Long objects; shapes fit a double. */
export const toNumber = (value: unknown): number => Number(value)

export const tensorDims = (tensor: TensorProto): number[] => (tensor.dims ?? []).map(toNumber)

/** A float32 initializer's values (raw_data or float_data), copied so edits never alias the source. */
export function floatValues(tensor: TensorProto): Float32Array {
  if (tensor.dataType !== DataType.float) throw new Error(`initializer ${tensor.name} is not float32`)
  const raw = tensor.rawData
  if (raw && raw.length > 0) {
    const copy = new Uint8Array(raw.length)
    copy.set(raw)
    return new Float32Array(copy.buffer)
  }
  return Float32Array.from(tensor.floatData ?? [])
}

export function rawTensor(
  name: string,
  dims: readonly number[],
  dataType: number,
  values: ArrayBufferView,
): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  })
}

/** Adds `domain` to the model's opset imports when missing. */
export function importOpset(model: ModelProto, domain: string, version: number): void {
  const imports = model.opsetImport ?? []
  if (!imports.some((entry) => (entry.domain ?? '') === domain)) {
    imports.push(onnx.OperatorSetIdProto.create({ domain, version }))
  }
  model.opsetImport = imports
}

export function graphOf(model: ModelProto): GraphProto {
  if (!model.graph) throw new Error('ONNX model has no graph')
  return model.graph
}
