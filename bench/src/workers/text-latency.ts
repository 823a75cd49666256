// One runtime's text-in, vector-out latency at several token counts; prints one JSON line.
// usage: text-latency.ts <ort-web|ort-node|transformers-js> <model.onnx> <tokens,...> <warmup> <reps>
//        [<batch>x<tokens>,...]: also batches of distinct texts, timed as one call each (key "8x4").
// The model dir is the one models.ts writes with `pipeline: true` (vocab and tokenizer files beside).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { jinaClipV1, OnnxTextTower, WordPieceTokenizer } from '@edgeclip/core'
import { peakRssMiB } from '../child'
import { textsOfLength } from '../text-inputs'

type Embed = (texts: string[]) => Promise<Float32Array[]>

const [runtime, modelPath, tokenList, warmupText, repsText, batchList] = process.argv.slice(2)
if (!runtime || !modelPath || !tokenList)
  throw new Error('usage: text-latency.ts RUNTIME MODEL TOKENS WARMUP REPS')
const warmup = Number(warmupText ?? 3)
const reps = Number(repsText ?? 20)
// Layout: <root>/<model id>/onnx/text_model.onnx, as on the Hub.
const modelDir = dirname(dirname(modelPath))
const tokenizer = WordPieceTokenizer.fromVocab(
  await readFile(join(modelDir, 'vocab.txt'), 'utf8'),
  jinaClipV1.tokenizer,
)
const texts = textsOfLength(tokenizer, tokenList.split(',').map(Number))
/** `tokens` x `batch` shapes; each batch holds distinct texts of that exact token count. */
const batchShapes = (batchList ? batchList.split(',') : []).map((shape) => {
  const [tokens = 0, batch = 0] = shape.split('x').map(Number)
  if (!(tokens > 2 && batch >= 1)) throw new RangeError(`a batch shape is <tokens>x<batch>, got ${shape}`)
  const counts = [tokens]
  const batchTexts = Array.from(
    { length: batch },
    (_, index) => textsOfLength(tokenizer, counts, index + 1).get(tokens)!,
  )
  return { key: shape, tokens, batchTexts }
})

async function ourTower(kind: 'web' | 'node'): Promise<Embed> {
  const bytes = new Uint8Array(await readFile(modelPath!))
  const session =
    kind === 'web'
      ? await (await import('@edgeclip/core/onnx-web')).createWebSession(bytes, { intraOpThreads: 1 })
      : await (await import('@edgeclip/core/onnx-node')).createNodeSession(bytes, { intraOpThreads: 1 })
  const tower = new OnnxTextTower(session, jinaClipV1)
  // What the gateway does with a text: tokenize within the model's limit, embed, normalize.
  return async (batch) => {
    const ids = batch.map((text) => tokenizer.encode(text, { maxLength: jinaClipV1.maxTokens }).ids)
    return tower.embed(ids, { normalize: true })
  }
}

async function transformersJs(): Promise<Embed> {
  // transformers.js on Node would pick onnxruntime-node and refuses device 'wasm'; hand it
  // onnxruntime-web so the peer runs on the same WASM runtime as our edge tower.
  const ort = await import('onnxruntime-web')
  ;(globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] = ort
  const transformers = await import('@huggingface/transformers')
  transformers.env.allowRemoteModels = false
  transformers.env.localModelPath = `${dirname(modelDir)}/`
  if (transformers.env.backends.onnx.wasm !== ort.env.wasm)
    throw new Error('transformers.js did not take the onnxruntime-web it was handed')
  ort.env.wasm.numThreads = 1
  // transformers.js points it at a CDN; serve the runtime's own files from node_modules.
  ort.env.wasm.wasmPaths = `${dirname(createRequire(import.meta.url).resolve('onnxruntime-web'))}/`
  // The call a user makes for sentence embeddings, on our file (onnx/text_model.onnx).
  const extractor = await transformers.pipeline('feature-extraction', basename(modelDir), {
    device: 'auto',
    dtype: 'fp32',
    model_file_name: 'text_model',
    session_options: { executionProviders: ['wasm'], intraOpNumThreads: 1 },
  })
  // Same work on both sides: the pipeline's tokenizer must give our ids for every text.
  const everyText = [
    ...texts,
    ...batchShapes.flatMap((shape) => shape.batchTexts.map((text) => [shape.key, text] as const)),
  ]
  for (const [count, text] of everyText) {
    const encoded = extractor.tokenizer(text) as { input_ids: { data: BigInt64Array } }
    const theirs = Array.from(encoded.input_ids.data, Number)
    const ours = tokenizer.encode(text).ids
    if (theirs.join() !== ours.join())
      throw new Error(`tokenizers differ on the ${count}-token text: ours ${ours}, transformers.js ${theirs}`)
  }
  return async (batch) => {
    const output = await extractor(batch, { pooling: 'mean', normalize: true })
    const data = output.data as Float32Array
    const width = data.length / batch.length
    return batch.map((_, index) => data.subarray(index * width, (index + 1) * width))
  }
}

const loadStart = performance.now()
const embed =
  runtime === 'ort-web'
    ? await ourTower('web')
    : runtime === 'ort-node'
      ? await ourTower('node')
      : runtime === 'transformers-js'
        ? await transformersJs()
        : undefined
if (!embed) throw new Error(`unknown runtime ${runtime}`)
const loadMs = performance.now() - loadStart
const samples: Record<string, number[]> = {}
const checks: Record<string, number[]> = {}
const ids: Record<string, number[]> = {}
async function time(key: string, batch: string[], rounds: number, warmups = warmup): Promise<void> {
  for (let index = 0; index < warmups; index++) await embed!(batch)
  const times: number[] = []
  let vectors: Float32Array[] = []
  for (let index = 0; index < rounds; index++) {
    const start = performance.now()
    vectors = await embed!(batch)
    times.push(performance.now() - start)
  }
  samples[key] = times
  // First values of the output, so the suite can check all runtimes computed the same thing.
  checks[key] = Array.from(vectors[0]!.subarray(0, 8))
}
for (const [count, text] of texts) {
  await time(String(count), [text], reps)
  ids[count] = tokenizer.encode(text).ids
}
// A batch costs about its size in single calls: fewer rounds keep the run within its minutes.
for (const shape of batchShapes) {
  await time(shape.key, shape.batchTexts, Math.max(3, Math.ceil(reps / 3)), 1)
  ids[shape.key] = shape.batchTexts.flatMap((text) => tokenizer.encode(text).ids)
}
process.stdout.write(
  `${JSON.stringify({ runtime, loadMs, peakRssMiB: peakRssMiB(), samples, checks, ids })}\n`,
)
