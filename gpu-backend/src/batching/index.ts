export { BatchQueue, type BatchQueueOptions, type BatchStats, type QueuedOutput } from './batch-queue'
export { type Selection, selectBatch } from './select-batch'
