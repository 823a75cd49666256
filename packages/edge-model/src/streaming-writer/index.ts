export { type LazyTensor, type StreamingModel, writeOnnxStreaming } from './streaming-onnx-writer'
