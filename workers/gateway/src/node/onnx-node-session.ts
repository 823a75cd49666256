// OnnxSession over onnxruntime-node for the Node host's edge tower. Interim: core's
// `@edgeclip/core/onnx-node` createNodeSession replaces it once it lands.
import type { OnnxSession, OnnxSessionFactory, TensorValue } from '@edgeclip/core'
import * as ort from 'onnxruntime-node'

export const createOnnxNodeSession: OnnxSessionFactory = async (model, options = {}) => {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [...(options.executionProviders ?? ['cpu'])],
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.graphOptimization ? { graphOptimizationLevel: options.graphOptimization } : {}),
  })
  const wrapped: OnnxSession = {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const inputs: Record<string, ort.Tensor> = {}
      for (const [name, value] of Object.entries(feeds)) {
        inputs[name] = new ort.Tensor(value.type, value.data, [...value.dims])
      }
      const outputs = await session.run(inputs)
      const result: Record<string, TensorValue> = {}
      for (const [name, tensor] of Object.entries(outputs)) {
        result[name] = {
          type: tensor.type as TensorValue['type'],
          data: tensor.data as TensorValue['data'],
          dims: tensor.dims,
        }
      }
      return result
    },
    release: () => session.release(),
  }
  return wrapped
}
