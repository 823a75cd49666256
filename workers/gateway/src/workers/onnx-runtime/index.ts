export {
  configureWorkersOnnxRuntime,
  createWorkersOnnxSession,
  type WorkersOnnxSessionOptions,
  workersOnnxRuntimeHeapBytes,
} from './workers-onnx-runtime'
