export {
  configureWorkersOnnxRuntime,
  createWorkersOnnxSession,
  workersOnnxRuntimeHeapBytes,
} from './workers-onnx-runtime'
