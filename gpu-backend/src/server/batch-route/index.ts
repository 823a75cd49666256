export { type BatchRouteOptions, batchRoute, type ServingModel } from './batch-route'
export { jsonBatchResponse, parseJsonBatch } from './json-batch'
export { serverTiming } from './server-timing'
