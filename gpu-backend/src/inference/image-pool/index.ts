export { ImageWorkerPool, type ImageWorkerPoolOptions } from './image-worker-pool'
