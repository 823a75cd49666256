export type { EmbeddingType, EncodedEmbedding } from './embedding-encoding'
export {
  base64ToBytes,
  bytesToBase64,
  bytesToFloat32,
  decodeEmbedding,
  embeddingTypes,
  encodeEmbedding,
  float32ToBytes,
  packSignBits,
  unpackSignBits,
} from './embedding-encoding'
