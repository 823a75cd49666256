// @edgeclip/core: runtime-agnostic. Nothing here imports node:*, cloudflare:* or onnxruntime.
export * from './auth'
export * from './backend-protocol'
export * from './cache-key'
export * from './encoding'
export * from './errors'
export * from './model-spec'
export * from './ports'
export * from './tower'
