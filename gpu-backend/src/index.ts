// @edgeclip/gpu-backend: the batched inference service. `main.ts` runs it from the environment;
// these exports let tests, benchmarks and other hosts embed it.
export { BatchQueue, type BatchQueueOptions, type BatchStats, selectBatch } from './batching'
export { type BackendConfig, ConfigError, defaultBatching, readBackendConfig } from './config'
export {
  BatchEmbedder,
  type BatchEmbedderOptions,
  type EmbedOptions,
  ImageWorkerPool,
  type ImageWorkerPoolOptions,
} from './inference'
export { type BackendMetrics, createBackendMetrics } from './metrics'
export { type LoadedTowers, loadTowers, openModelFiles, warmUp } from './model'
export { createBackendApp } from './server'
export { type RunningBackend, type StartBackendOptions, startBackend } from './service'
