export { imageCacheKey, sha256Hex, textCacheKey } from './cache-key'
