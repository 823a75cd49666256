// Both ONNX Runtime packages share one API shape (onnxruntime-common); this adapts either one to the
// OnnxSession port, so node.ts and web.ts differ only in which runtime they load.
import type { OnnxSession, OnnxSessionOptions, TensorData, TensorType, TensorValue } from '../tower'

/** The slice of an ONNX Runtime tensor the port reads. */
export interface RuntimeTensor {
  readonly type: string
  readonly data: unknown
  readonly dims: readonly number[]
}

/** The slice of an ONNX Runtime InferenceSession the port uses. */
export interface RuntimeSession<Tensor extends RuntimeTensor> {
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  run(feeds: Record<string, Tensor>): Promise<Record<string, RuntimeTensor>>
  release(): Promise<void>
}

const toTensorValue = (tensor: RuntimeTensor): TensorValue => ({
  type: tensor.type as TensorType,
  data: tensor.data as TensorData,
  dims: tensor.dims,
})

export function wrapRuntimeSession<Tensor extends RuntimeTensor>(
  session: RuntimeSession<Tensor>,
  createTensor: (value: TensorValue) => Tensor,
): OnnxSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const inputs: Record<string, Tensor> = {}
      for (const [name, value] of Object.entries(feeds)) inputs[name] = createTensor(value)
      const outputs = await session.run(inputs)
      const result: Record<string, TensorValue> = {}
      for (const [name, tensor] of Object.entries(outputs)) result[name] = toTensorValue(tensor)
      return result
    },
    release: () => session.release(),
  }
}

/** Session options both runtimes accept, from the port's options. */
export function runtimeSessionOptions(options: OnnxSessionOptions, defaultProviders: readonly string[]) {
  return {
    executionProviders: [...(options.executionProviders ?? defaultProviders)],
    ...(options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads }),
    graphOptimizationLevel: options.graphOptimization ?? 'all',
  }
}
