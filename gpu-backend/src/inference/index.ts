export {
  BatchEmbedder,
  type BatchEmbedderOptions,
  type EmbedOptions,
  type TowerBatching,
} from './batch-embedder'
export { CLIENT_CLOSED_STATUS, clientClosed } from './client-closed'
export { ImageWorkerPool, type ImageWorkerPoolOptions } from './image-pool'
export { failureFrom, type ItemFailure, itemFailure } from './item-failure'
export { validateTextIds } from './validate-text'
