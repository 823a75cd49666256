export { configureWorkersOnnxRuntime, createWorkersOnnxSession } from './workers-onnx-runtime'
