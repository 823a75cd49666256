// onnxruntime-web sessions for edge parts (WASM, one thread), behind core's OnnxSession port.
import type { OnnxSession, TensorData, TensorType, TensorValue } from '@edgeclip/core'
import * as ort from 'onnxruntime-web'

export async function createWebPartSession(
  model: Uint8Array,
  data: { path: string; bytes: Uint8Array },
): Promise<OnnxSession> {
  ort.env.wasm.numThreads = 1
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    externalData: [{ path: data.path, data: data.bytes }],
  })
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds: Record<string, TensorValue>) {
      const inputs = Object.fromEntries(
        Object.entries(feeds).map(([name, value]) => [
          name,
          new ort.Tensor(value.type, value.data as Float32Array, value.dims),
        ]),
      )
      const outputs = await session.run(inputs)
      return Object.fromEntries(
        Object.entries(outputs).map(([name, tensor]) => [
          name,
          { type: tensor.type as TensorType, data: tensor.data as TensorData, dims: tensor.dims },
        ]),
      )
    },
    release: () => session.release(),
  }
}
