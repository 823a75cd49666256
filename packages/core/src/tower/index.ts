export { l2Normalize } from './normalize'
export type {
  OnnxSession,
  OnnxSessionFactory,
  OnnxSessionOptions,
  TensorData,
  TensorType,
  TensorValue,
} from './onnx-session'
export type { ImageTower, TextTower, Tower, TowerRunOptions } from './tower'
