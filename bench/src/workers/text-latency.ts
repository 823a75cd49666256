// One runtime's text-tower latency at several sequence lengths; prints one JSON line.
// usage: text-latency.ts <ort-web|ort-node|transformers-js> <model.onnx> <tokens,...> <warmup> <reps>
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { jinaClipV1 } from '@edgeclip/core'
import { peakRssMiB } from '../child'

type Embed = (ids: number[]) => Promise<Float32Array>

const [runtime, modelPath, tokenList, warmupText, repsText] = process.argv.slice(2)
if (!runtime || !modelPath || !tokenList)
  throw new Error('usage: text-latency.ts RUNTIME MODEL TOKENS WARMUP REPS')
const warmup = Number(warmupText ?? 3)
const reps = Number(repsText ?? 20)
const { clsId, sepId } = jinaClipV1.tokenizer

async function ourTower(kind: 'web' | 'node'): Promise<Embed> {
  const { OnnxTextTower } = await import('@edgeclip/core')
  const bytes = new Uint8Array(await readFile(modelPath!))
  const session =
    kind === 'web'
      ? await (await import('@edgeclip/core/onnx-web')).createWebSession(bytes, { intraOpThreads: 1 })
      : await (await import('@edgeclip/core/onnx-node')).createNodeSession(bytes, { intraOpThreads: 1 })
  const tower = new OnnxTextTower(session, jinaClipV1)
  return async (ids) => (await tower.embed([ids]))[0]!
}

async function transformersJs(): Promise<Embed> {
  // transformers.js on Node would pick onnxruntime-node; hand it onnxruntime-web so the peer runs
  // on the same WASM runtime as our edge tower.
  const ort = await import('onnxruntime-web')
  ;(globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] = ort
  const transformers = await import('@huggingface/transformers')
  transformers.env.allowRemoteModels = false
  // Layout: <root>/<model id>/onnx/text_model.onnx, as on the Hub.
  const modelDir = dirname(dirname(modelPath!))
  transformers.env.localModelPath = `${dirname(modelDir)}/`
  const wasm = transformers.env.backends.onnx.wasm
  if (wasm) {
    wasm.numThreads = 1
    // It points at a CDN by default; serve the runtime's own files from node_modules.
    wasm.wasmPaths = `${dirname(createRequire(import.meta.url).resolve('onnxruntime-web'))}/`
  }
  const model = await transformers.JinaCLIPTextModel.from_pretrained(modelDir.split('/').pop()!, {
    device: 'auto',
    dtype: 'fp32',
    session_options: { executionProviders: ['wasm'], intraOpNumThreads: 1 },
  } as never)
  return async (ids) => {
    const input = new transformers.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length])
    const output = (await model({ input_ids: input })) as Record<string, { data: Float32Array }>
    const embeds = output.text_embeds ?? output.text_embeddings ?? Object.values(output)[0]
    return embeds!.data
  }
}

function sequence(tokens: number, seed: number): number[] {
  const ids: number[] = [clsId]
  let state = seed
  for (let index = 0; index < tokens - 2; index++) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    ids.push(1000 + (state % 28000))
  }
  ids.push(sepId)
  return ids
}

const loadStart = performance.now()
const embed =
  runtime === 'ort-web'
    ? await ourTower('web')
    : runtime === 'ort-node'
      ? await ourTower('node')
      : await transformersJs()
const loadMs = performance.now() - loadStart
const samples: Record<string, number[]> = {}
const checks: Record<string, number[]> = {}
for (const tokens of tokenList.split(',').map(Number)) {
  const ids = sequence(tokens, tokens)
  for (let index = 0; index < warmup; index++) await embed(ids)
  const times: number[] = []
  let vector: Float32Array = new Float32Array()
  for (let index = 0; index < reps; index++) {
    const start = performance.now()
    vector = await embed(ids)
    times.push(performance.now() - start)
  }
  samples[tokens] = times
  // First values of the output, so the suite can check all runtimes computed the same thing.
  checks[tokens] = Array.from(vector.subarray(0, 8))
}
process.stdout.write(`${JSON.stringify({ runtime, loadMs, peakRssMiB: peakRssMiB(), samples, checks })}\n`)
