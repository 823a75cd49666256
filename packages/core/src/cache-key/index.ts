export { imageCacheKey, type KeyContext, sha256Hex, sha256OfBytes, textCacheKey } from './cache-key'
export {
  type BackendIdentity,
  parseBackendIdentity,
  parseTowerIdentity,
  sameTowerIdentity,
  type TowerIdentity,
} from './tower-identity'
