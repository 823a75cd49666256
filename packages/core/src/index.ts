// @edgeclip/core: runtime-agnostic. Nothing here imports node:*, cloudflare:* or onnxruntime.
export * from './backend-protocol'
export * from './errors'
export * from './model-spec'
export * from './ports'
export * from './tower'
