// @edgeclip/sdk: typed client for the edgeclip embeddings API. Everything public is exported here;
// src/internal is not part of the API.
export {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type EdgeClipOptions,
} from './client/client-options'
export { EdgeClip } from './client/edgeclip'
export { decodeEmbedding, type EmbeddingOf, type Encoding } from './core/decode'
export {
  type CachedRow,
  DEFAULT_CACHE_BYTES,
  DEFAULT_CACHE_ENTRIES,
  type EmbeddingStore,
  type MemoryStoreOptions,
  memoryStore,
} from './core/embedding-store'
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorBody,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  EdgeClipSDKError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from './core/errors'
export { type ImageSource, imageToWire } from './core/image-input'
export type { Fetch } from './core/request'
export { cosineSimilarity, type ScoredMatch, topK } from './core/similarity'
export type {
  EmbedInput,
  EmbedOptions,
  EmbedResponse,
  ModelInfo,
  Progress,
  RequestOverrides,
  Usage,
} from './core/types'
export { VERSION } from './version'
