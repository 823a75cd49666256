// One edge tower per isolate, created on the first request that needs it: Workers allow 1 s of
// startup, and compiling a session from model bytes takes longer than that on real models.
import { type ModelSpec, OnnxTextTower, type TextTower } from '@edgeclip/core'
import { configureWorkersOnnxRuntime, createWorkersOnnxSession } from '../onnx-runtime'

export interface EdgeTowerLoaderOptions {
  spec: ModelSpec
  /** The tower's ONNX bytes (input_ids -> text_embeds); read by the first request that needs them. */
  loadModel: () => Promise<Uint8Array>
  /** ONNX Runtime's .wasm, compiled by wrangler at deploy time. */
  wasmModule: WebAssembly.Module
  maxBatchSize?: number
}

/** Resolves the tower, loading it once per isolate; a failed load is retried by the next caller. */
export function createEdgeTowerLoader(options: EdgeTowerLoaderOptions): () => Promise<TextTower> {
  let loading: Promise<TextTower> | undefined
  return () => {
    loading ??= (async () => {
      configureWorkersOnnxRuntime(options.wasmModule)
      const session = await createWorkersOnnxSession(await options.loadModel())
      return new OnnxTextTower(session, options.spec, {
        ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
      })
    })().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return loading
  }
}
