// @edgeclip/core/onnx-node: the OnnxSession port over onnxruntime-node (CPU everywhere, CUDA where the
// CUDA provider is installed). A listed provider that fails to load is an error, not a silent fall
// back to the CPU: callers decide (the GPU backend retries with ['cpu'] and reports why).
import * as ort from 'onnxruntime-node'
import type { OnnxSessionFactory } from '../tower'
import { runtimeSessionOptions, wrapRuntimeSession } from './wrap-runtime-session'

export const createNodeSession: OnnxSessionFactory = async (model, options = {}) => {
  const session = await ort.InferenceSession.create(model, runtimeSessionOptions(options, ['cpu']))
  return wrapRuntimeSession(session, (value) => new ort.Tensor(value.type, value.data, [...value.dims]))
}
