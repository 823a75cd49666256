// A part Worker of the split edge tower (wrangler.edge-part.jsonc `main`).
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { createEdgePartHandler } from './edge-part-handler'

export type { EdgePartEnv } from './edge-part-env'
export { createEdgePartHandler, type EdgePartHandler } from './edge-part-handler'

export default createEdgePartHandler(ortWasm)
