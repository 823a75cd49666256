export type { Backend, BackendCallOptions } from './backend'
export type { EmbeddingCache } from './embedding-cache'
export type { DecodedImage, ImageDecoder, PixelMode } from './image-decoder'
export type { ApiKeyRecord, KeyStore } from './key-store'
