// @edgeclip/gateway: the host-agnostic app. Node host: `@edgeclip/gateway/node`.
export type { GatewayApp, GatewayAppOptions } from './app'
export { createGatewayApp } from './app'
export type { GatewayConfig } from './config'
export {
  defaultGatewayConfig,
  parseCorsOrigins,
  resolveGatewayConfig,
  WORKERS_EDGE_MAX_TOKENS_LIMIT,
  WORKERS_L1_CACHE_BYTES,
  WORKERS_MAX_BODY_BYTES,
} from './config'
export type { AppEnv, GatewayBindings, GatewayVariables } from './env'
export type {
  FetchedImage,
  GatewayDeps,
  ImageFetcher,
  RateLimitDecision,
  RateLimiter,
  RateLimits,
  TextTokenizer,
} from './ports'
export { IN_PROCESS_EDGE_NUMERICS, splitEdgeIdentity } from './workers/deps/edge-identity'
export { EDGE_BUILD_HEADER } from './workers/edge-tower/edge-artifact'
