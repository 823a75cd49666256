export type { ApiKeyLimits } from './api-key'
export { apiKeyId, createApiKey, hashApiKey, timingSafeEqualHex } from './api-key'
