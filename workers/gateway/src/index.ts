// @edgeclip/gateway: the host-agnostic app. Node host: `@edgeclip/gateway/node`.
export type { GatewayApp, GatewayAppOptions } from './app'
export { createGatewayApp } from './app'
export type { GatewayConfig } from './config'
export { defaultGatewayConfig, parseCorsOrigins, resolveGatewayConfig } from './config'
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
export { IN_PROCESS_EDGE_NUMERICS } from './workers/deps/edge-numerics'
