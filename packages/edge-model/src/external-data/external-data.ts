// ONNX external data: large initializers move out of the protobuf into one side file. ONNX Runtime
// Web then copies each weight into its heap once, instead of holding the whole model proto and the
// weights at the same time during load.
import { graphOf, type ModelProto, onnx } from '../onnx-graph'

/** Initializers smaller than this stay inline (shapes, scalars, biases). */
const MIN_EXTERNAL_BYTES = 1024
/** Offsets aligned so a runtime may map weights in place. */
const ALIGNMENT = 64

/** Moves raw-data initializers into `location`'s bytes, in place; returns those bytes. */
export function moveToExternalData(model: ModelProto, location: string): Uint8Array {
  const graph = graphOf(model)
  const moved = (graph.initializer ?? []).filter(
    (tensor) => (tensor.rawData?.length ?? 0) >= MIN_EXTERNAL_BYTES,
  )
  let length = 0
  const offsets = moved.map((tensor) => {
    const offset = Math.ceil(length / ALIGNMENT) * ALIGNMENT
    length = offset + tensor.rawData!.length
    return offset
  })
  const data = new Uint8Array(length)
  moved.forEach((tensor, index) => {
    const raw = tensor.rawData!
    const offset = offsets[index]!
    data.set(raw, offset)
    tensor.rawData = new Uint8Array(0)
    tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL
    tensor.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ].map((entry) => onnx.StringStringEntryProto.create(entry))
  })
  return data
}
