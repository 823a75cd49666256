// fp32 → fp16 for a synthetic graph, as onnxconverter-common's float16 conversion with
// keep_io_types does for the published *_fp16.onnx files: float weights stored as halves, Casts
// to float retargeted to half, and float outputs cast back to float32 (inputs here are int64 ids).
import type { StreamingModel } from '@edgeclip/edge-model/node'
import onnxProto from 'onnx-proto'
import { FLOAT, FLOAT16, toHalfBits } from './graph-builder'

const { onnx } = onnxProto

export function toFp16(model: StreamingModel): StreamingModel {
  const floatOutputs = new Set(
    model.outputs
      .filter((output) => output.type?.tensorType?.elemType === FLOAT)
      .map((output) => output.name!),
  )
  const rename = (name: string) => (floatOutputs.has(name) ? `${name}_fp16` : name)
  const nodes = model.nodes.map((node) => {
    const attribute = (node.attribute ?? []).map((entry) =>
      node.opType === 'Cast' && entry.name === 'to' && Number(entry.i) === FLOAT
        ? onnx.AttributeProto.create({ ...entry, i: FLOAT16 })
        : entry,
    )
    return onnx.NodeProto.create({ ...node, attribute, output: (node.output ?? []).map(rename) })
  })
  for (const name of floatOutputs) {
    nodes.push(
      onnx.NodeProto.create({
        opType: 'Cast',
        input: [rename(name)],
        output: [name],
        name: `${name}_to_float32`,
        attribute: [
          onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }),
        ],
      }),
    )
  }
  const initializers = model.initializers.map((tensor) =>
    tensor.dataType === FLOAT
      ? {
          ...tensor,
          dataType: FLOAT16,
          byteLength: tensor.byteLength / 2,
          produce: () => toHalfBits(tensor.produce() as Float32Array),
        }
      : tensor,
  )
  return { ...model, name: `${model.name}_fp16`, nodes, initializers }
}
