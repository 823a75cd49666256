// Where the edge tower's time goes, without a profiler (onnxruntime-web keeps its profile inside the
// WASM file system): the int8 model at batch 1 beside a graph of only its 84 int8 GEMMs at the same
// token count, and the model at another graph optimization level. Every session in one process,
// interleaved call by call, so machine load hits them alike. Prints one JSON line.
// usage: tsx src/levers/gemm-floor.ts <int8 text_model.onnx> <tokens,...> [rounds]
import { readFile } from 'node:fs/promises'
import { DataType, encodeModel, onnx, rawTensor } from '@edgeclip/edge-model/graph'
import { jinaBertShape } from '@edgeclip/testkit'
import * as ort from 'onnxruntime-web'
import { summarize } from '../stats'

const [modelPath, tokenList, roundsText] = process.argv.slice(2)
if (!modelPath || !tokenList) throw new Error('usage: gemm-floor.ts MODEL TOKENS [ROUNDS]')
const rounds = Number(roundsText ?? 9)
ort.env.wasm.numThreads = 1
const { layers, width, intermediate } = jinaBertShape
/** [k, n] of one layer's weight GEMMs: query, key, value, attention output, gate, up, down. */
const layerGemms: [number, number][] = [
  [width, width],
  [width, width],
  [width, width],
  [width, width],
  [width, intermediate],
  [width, intermediate],
  [intermediate, width],
]

function gemmOnlyModel(tokens: number): Uint8Array {
  const gemms = Array.from({ length: layers }, () => layerGemms).flat()
  const info = (name: string, type: number, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: type, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } },
    })
  const input = (k: number) => `activations_${k}`
  return encodeModel(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: onnx.GraphProto.create({
        name: 'gemm_floor',
        input: [width, intermediate].map((k) => info(input(k), DataType.uint8, [tokens, k])),
        output: gemms.map(([, n], index) => info(`product_${index}`, DataType.int32, [tokens, n])),
        initializer: [
          rawTensor('zero_point', [], DataType.uint8, new Uint8Array([128])),
          ...gemms.map(([k, n], index) =>
            rawTensor(
              `weight_${index}`,
              [k, n],
              DataType.int8,
              Int8Array.from({ length: k * n }, (_, at) => ((at * 7) % 255) - 127),
            ),
          ),
        ],
        node: gemms.map(([k], index) =>
          onnx.NodeProto.create({
            opType: 'MatMulInteger',
            input: [input(k), `weight_${index}`, 'zero_point'],
            output: [`product_${index}`],
          }),
        ),
      }),
    }),
  )
}

const model = new Uint8Array(await readFile(modelPath))
const rows: Record<string, number>[] = []
for (const tokens of tokenList.split(',').map(Number)) {
  const ids = BigInt64Array.from({ length: tokens }, (_, index) =>
    BigInt(index === 0 ? 101 : index === tokens - 1 ? 102 : 1000 + index * 37),
  )
  const modelFeeds = { input_ids: new ort.Tensor('int64', ids, [1, tokens]) }
  const runs: Record<string, () => Promise<unknown>> = {}
  for (const level of ['all', 'disabled'] as const) {
    const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: level })
    runs[`model.opt-${level}`] = () => session.run(modelFeeds)
  }
  const gemmSession = await ort.InferenceSession.create(gemmOnlyModel(tokens))
  const gemmFeeds = Object.fromEntries(
    [width, intermediate].map((k) => [
      `activations_${k}`,
      new ort.Tensor('uint8', new Uint8Array(tokens * k).fill(130), [tokens, k]),
    ]),
  )
  runs['gemm-only'] = () => gemmSession.run(gemmFeeds)
  const times: Record<string, number[]> = {}
  for (let round = 0; round <= rounds; round++) {
    for (const [name, call] of Object.entries(runs)) {
      const start = performance.now()
      await call()
      // Round 0 warms every session up.
      if (round > 0) times[name] = [...(times[name] ?? []), performance.now() - start]
    }
  }
  const p50 = (name: string) => summarize(times[name] ?? []).p50
  rows.push({
    tokens,
    'model.opt-all.p50': p50('model.opt-all'),
    'model.opt-disabled.p50': p50('model.opt-disabled'),
    'gemm-only.p50': p50('gemm-only'),
    gemmShare: p50('gemm-only') / p50('model.opt-all'),
    n: rounds,
  })
}
process.stdout.write(`${JSON.stringify(rows)}\n`)
