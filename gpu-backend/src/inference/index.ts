export { BatchEmbedder, type BatchEmbedderOptions, type TowerBatching } from './batch-embedder'
export { ImageWorkerPool, type ImageWorkerPoolOptions } from './image-pool'
export { failureFrom, type ItemFailure, itemFailure } from './item-failure'
export { validateTextIds } from './validate-text'
