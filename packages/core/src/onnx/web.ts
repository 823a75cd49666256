// @edgeclip/core/onnx-web: the OnnxSession port over onnxruntime-web (WASM). On Node the package's
// `node` entry loads its .wasm from its own dist folder, never from a CDN. Workers need a precompiled
// module instead: the gateway's workers/onnx-runtime adapter does that.
import * as ort from 'onnxruntime-web'
import type { OnnxSessionFactory } from '../tower'
import { runtimeSessionOptions, wrapRuntimeSession } from './wrap-runtime-session'

export const createWebSession: OnnxSessionFactory = async (model, options = {}) => {
  // Threads need worker threads (and cross-origin isolation in browsers); one thread works
  // everywhere. ORT reads these when the first session initializes the runtime, so set them here.
  ort.env.wasm.numThreads = 1
  ort.env.wasm.proxy = false
  // WASM has one thread; intraOpThreads above 1 would only be ignored.
  const { intraOpThreads: _ignored, ...rest } = options
  const session = await ort.InferenceSession.create(model, runtimeSessionOptions(rest, ['wasm']))
  return wrapRuntimeSession(session, (value) => new ort.Tensor(value.type, value.data, [...value.dims]))
}
