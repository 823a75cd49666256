// The gateway's Cloudflare Workers entry (wrangler.jsonc `main`).
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { docsAssets } from './docs'
import { createWorkersHandler } from './workers-handler'

export { RateLimiterDurableObject } from '../adapters/workers'

export default createWorkersHandler(ortWasm, docsAssets)
