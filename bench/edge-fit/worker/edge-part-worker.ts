// A Worker that holds one text-tower model inside workerd: a single-file variant (input_ids ->
// text_embeds) or one part of the edge artifact. Parts chain through the NEXT service binding with
// the hidden state in a tensor bundle. Reports the ONNX Runtime heap it sees from inside.
import {
  decodeEmbeddingTable,
  decodeTensorBundle,
  type EdgeManifest,
  encodeTensorBundle,
  type Int8EmbeddingTable,
  initialTensors,
  parseEdgeManifest,
  type TensorMap,
} from '@edgeclip/edge-model'
import * as ort from 'onnxruntime-web/wasm'
// @ts-expect-error: a CompiledWasm module that the harness hands to workerd beside this script.
import ortWasm from './ort.wasm'

interface Env {
  /** Where the harness serves model files over loopback (stands in for R2). */
  MODEL_URL: string
  /** `single:<file>` or `edge:<dir>:<part index>`. */
  MODEL: string
  NEXT?: { fetch(request: Request): Promise<Response> }
}

const PLACEHOLDER = new TextEncoder().encode('edgeclip:precompiled-ort-wasm')
let memory: WebAssembly.Memory | undefined

function installRuntime(): void {
  const original = WebAssembly.instantiate.bind(WebAssembly) as (
    source: unknown,
    imports?: WebAssembly.Imports,
  ) => Promise<unknown>
  const isPlaceholder = (source: unknown) =>
    ArrayBuffer.isView(source) && source.byteLength === PLACEHOLDER.length
  WebAssembly.instantiate = (async (source: unknown, imports?: WebAssembly.Imports) => {
    if (!isPlaceholder(source)) return original(source, imports)
    const instance = (await original(ortWasm as WebAssembly.Module, imports)) as WebAssembly.Instance
    const candidates = [
      ...Object.values(instance.exports),
      ...Object.values(imports ?? {}).flatMap((entry) => Object.values(entry)),
    ]
    memory = candidates.find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory)
    return { instance, module: ortWasm }
  }) as typeof WebAssembly.instantiate
  ort.env.wasm.numThreads = 1
  ort.env.wasm.proxy = false
  ort.env.wasm.wasmBinary = PLACEHOLDER
}

interface Loaded {
  session: ort.InferenceSession
  manifest?: EdgeManifest
  table?: Int8EmbeddingTable
  part: number
  loadMs: number
}

let loaded: Promise<Loaded> | undefined

async function fetchBytes(env: Env, file: string): Promise<Uint8Array> {
  const response = await fetch(`${env.MODEL_URL}/${file}`)
  if (!response.ok) throw new Error(`GET ${file}: ${response.status}`)
  return new Uint8Array(await response.arrayBuffer())
}

async function load(env: Env): Promise<Loaded> {
  const started = Date.now()
  installRuntime()
  const [kind, location = '', partText = '0'] = env.MODEL.split(':')
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' } as const
  if (kind === 'single') {
    const session = await ort.InferenceSession.create(await fetchBytes(env, location), options)
    return { session, part: 0, loadMs: Date.now() - started }
  }
  const manifest = parseEdgeManifest(
    new TextDecoder().decode(await fetchBytes(env, `${location}/manifest.json`)),
  )
  const part = Number(partText)
  const spec = manifest.parts[part]!
  // The session first: its model bytes are unreachable before the table arrives, so a GC under
  // pressure never has to hold both.
  const session = await ort.InferenceSession.create(await fetchBytes(env, `${location}/${spec.file}`), {
    ...options,
    externalData: [{ path: spec.data, data: await fetchBytes(env, `${location}/${spec.data}`) }],
  })
  const table =
    part === 0
      ? decodeEmbeddingTable(
          await fetchBytes(env, `${location}/${manifest.table.file}`),
          manifest.table.rows,
          manifest.table.width,
        )
      : undefined
  return { session, manifest, ...(table ? { table } : {}), part, loadMs: Date.now() - started }
}

async function run(model: Loaded, tensors: TensorMap): Promise<TensorMap> {
  const feeds = Object.fromEntries(
    model.session.inputNames.map((name) => {
      const value = tensors[name]!
      return [name, new ort.Tensor(value.type as 'float32', value.data as Float32Array, value.dims)]
    }),
  )
  const outputs = await model.session.run(feeds)
  const result: TensorMap = {}
  for (const [name, tensor] of Object.entries(outputs)) {
    result[name] = { type: tensor.type as 'float32', data: tensor.data as Float32Array, dims: tensor.dims }
  }
  const ids = tensors.input_ids
  return ids && model.manifest ? { [model.manifest.idsInput]: ids, ...result } : result
}

const stats = (extra: Record<string, unknown> = {}) =>
  Response.json({ wasmBytes: memory?.buffer.byteLength ?? 0, ...extra })

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname
    if (path === '/ping') return stats()
    if (path === '/gc') {
      ;(globalThis as { gc?: () => void }).gc?.()
      return stats({ collected: typeof (globalThis as { gc?: unknown }).gc === 'function' })
    }
    loaded ??= load(env)
    const model = await loaded
    if (path === '/load') return stats({ loadMs: model.loadMs })
    // /embed: the body is a tensor bundle; the first part receives input_ids only.
    let tensors = decodeTensorBundle(new Uint8Array(await request.arrayBuffer()))
    if (model.table && model.manifest) {
      const ids = tensors[model.manifest.idsInput]!
      tensors = initialTensors(model.manifest, model.table, ids.data as BigInt64Array, [
        ids.dims[0]!,
        ids.dims[1]!,
      ])
    }
    const outputs = await run(model, tensors)
    if (env.NEXT)
      return env.NEXT.fetch(new Request(request.url, { method: 'POST', body: encodeTensorBundle(outputs) }))
    return new Response(encodeTensorBundle(outputs), {
      headers: { 'x-wasm-bytes': String(memory?.buffer.byteLength ?? 0) },
    })
  },
}
