export { l2Normalize } from './normalize'
export { OnnxImageTower } from './onnx-image-tower'
export type {
  OnnxSession,
  OnnxSessionFactory,
  OnnxSessionOptions,
  TensorData,
  TensorType,
  TensorValue,
} from './onnx-session'
export { OnnxTextTower, type OnnxTowerOptions } from './onnx-text-tower'
export { checkTextBatch, DEFAULT_MAX_BATCH_SIZE, readRows } from './onnx-tower-io'
export type { ImageTower, TextTower, Tower, TowerRunOptions } from './tower'
