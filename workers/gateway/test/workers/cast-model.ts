// A one-node graph (input_ids int64 -> Cast -> float32), so the runtime check depends on no fixture.
import { ElementType, model, node, tensorInfo } from '@edgeclip/testkit/onnx-writer'

export const buildCastModel = (): Uint8Array =>
  model({
    name: 'cast',
    nodes: [node('Cast', ['input_ids'], ['values'], { to: ElementType.float })],
    inputs: [tensorInfo('input_ids', ElementType.int64, ['batch', 'sequence'])],
    outputs: [tensorInfo('values', ElementType.float, ['batch', 'sequence'])],
    opset: 13,
  })
