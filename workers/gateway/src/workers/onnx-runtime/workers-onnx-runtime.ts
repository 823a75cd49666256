// ONNX Runtime Web inside workerd. workerd refuses to compile WebAssembly from bytes, so ORT must be
// handed the module wrangler compiled at deploy time; threads are off (no workers in an isolate).
import type { OnnxSession, OnnxSessionOptions, TensorData, TensorType, TensorValue } from '@edgeclip/core'
import * as ort from 'onnxruntime-web/wasm'

// ORT only skips fetching its .wasm when `env.wasm.wasmBinary` is set; it then passes a copy of these
// bytes to WebAssembly.instantiate, which is where the precompiled module is swapped in.
const PLACEHOLDER = new TextEncoder().encode('edgeclip:precompiled-ort-wasm')

let installedModule: WebAssembly.Module | undefined
let runtimeMemory: WebAssembly.Memory | undefined

function isPlaceholder(source: unknown): boolean {
  const bytes = ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : source instanceof ArrayBuffer
      ? new Uint8Array(source)
      : undefined
  return bytes?.length === PLACEHOLDER.length && bytes.every((byte, index) => byte === PLACEHOLDER[index])
}

// The threaded build imports its memory (it would be shared with worker threads); others export it.
function findMemory(
  instance: WebAssembly.Instance,
  imports?: WebAssembly.Imports,
): WebAssembly.Memory | undefined {
  const candidates = [
    ...Object.values(instance.exports),
    ...Object.values(imports ?? {}).flatMap((namespace) => Object.values(namespace)),
  ]
  return candidates.find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory)
}

/** Points ORT at a precompiled WebAssembly module. Call once per isolate, before the first session. */
export function configureWorkersOnnxRuntime(wasmModule: WebAssembly.Module): void {
  if (installedModule === wasmModule) return
  if (installedModule) throw new Error('ONNX Runtime is already configured with another module')
  installedModule = wasmModule
  const original = WebAssembly.instantiate.bind(WebAssembly) as (
    source: unknown,
    imports?: WebAssembly.Imports,
  ) => Promise<unknown>
  const instantiate = async (source: unknown, imports?: WebAssembly.Imports) => {
    if (!isPlaceholder(source)) return original(source, imports)
    const instance = (await original(wasmModule, imports)) as WebAssembly.Instance
    runtimeMemory = findMemory(instance, imports)
    return { instance, module: wasmModule }
  }
  WebAssembly.instantiate = instantiate as typeof WebAssembly.instantiate
  ort.env.wasm.numThreads = 1
  ort.env.wasm.proxy = false
  ort.env.wasm.wasmBinary = PLACEHOLDER
}

/**
 * Bytes of ONNX Runtime's WebAssembly heap (model weights and arena), or undefined
 * before the first session. It only grows: the figure that counts against the isolate's 128 MB.
 */
export function workersOnnxRuntimeHeapBytes(): number | undefined {
  return runtimeMemory?.buffer.byteLength
}

const tensorValue = (tensor: ort.Tensor): TensorValue => ({
  type: tensor.type as TensorType,
  data: tensor.data as TensorData,
  dims: tensor.dims,
})

class WorkersOnnxSession implements OnnxSession {
  constructor(private readonly session: ort.InferenceSession) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames
  }

  async run(feeds: Record<string, TensorValue>): Promise<Record<string, TensorValue>> {
    const inputs: Record<string, ort.Tensor> = {}
    for (const [name, value] of Object.entries(feeds)) {
      inputs[name] = new ort.Tensor(value.type, value.data, value.dims)
    }
    const outputs = await this.session.run(inputs)
    const result: Record<string, TensorValue> = {}
    for (const [name, tensor] of Object.entries(outputs)) result[name] = tensorValue(tensor)
    return result
  }

  release(): Promise<void> {
    return this.session.release()
  }
}

export interface WorkersOnnxSessionOptions extends OnnxSessionOptions {
  /**
   * Weights kept outside the graph (edge parts: `part-<i>.onnx.data`), under the name the graph
   * refers to. ORT copies them into its heap once, so the graph and weights are never held twice.
   */
  externalData?: readonly { path: string; data: Uint8Array }[]
}

/** Creates sessions on the precompiled runtime; `configureWorkersOnnxRuntime` must have run. */
export const createWorkersOnnxSession = async (
  model: Uint8Array,
  options: WorkersOnnxSessionOptions = {},
): Promise<OnnxSession> => {
  if (!installedModule) throw new Error('configureWorkersOnnxRuntime() has not been called')
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: options.graphOptimization ?? 'all',
    ...(options.externalData ? { externalData: [...options.externalData] } : {}),
  })
  return new WorkersOnnxSession(session)
}
