// Figure a: edge text latency and peak memory — our edge tower (onnxruntime-web, one thread) vs
// transformers.js on the same ONNX file (the peer) vs onnxruntime-node (the native limit).
import { relative } from 'node:path'
import { runChild } from '../child'
import { benchVocab, syntheticLayers, syntheticTextModel } from '../models'
import { round, summarize } from '../stats'
import type { ResultTable, SuiteContext, SuiteResult } from '../suite'
import {
  type BatchShape,
  type BenchSplitTower,
  SPLIT_PARTS,
  shapeKey,
  startBenchSplitTower,
  timeSplitShapes,
} from './split-tower'

const runtimes = ['ort-web', 'transformers-js', 'ort-node'] as const
type Runtime = (typeof runtimes)[number]

interface ChildResult {
  runtime: Runtime
  loadMs: number
  peakRssMiB: number
  samples: Record<string, number[]>
  checks: Record<string, number[]>
  /** The ids each text tokenized to, by token count. */
  ids: Record<string, number[]>
}

type Variant = 'fp32' | 'int8'

/** What the gateway sends the split tower: 1, 4 and 16 texts (its edge batch size) of 8 and 16 tokens. */
const SPLIT_SHAPES: BatchShape[] = [8, 16].flatMap((tokens) => [1, 4, 16].map((batch) => ({ tokens, batch })))
/** The same batches through the peers, whose batch-1 figures the per-length rows already hold. */
const PEER_BATCH_SHAPES = SPLIT_SHAPES.filter((shape) => shape.batch > 1)
const peerKey = (shape: BatchShape) => (shape.batch === 1 ? String(shape.tokens) : shapeKey(shape))

export async function edgeLatency(context: SuiteContext): Promise<SuiteResult> {
  // int8 (dynamic, whole graph, same I/O) is the weight format an edge tower can afford, and at half
  // fp32's time per call it is the one that keeps the quick run within its 3 minutes.
  const variants: Variant[] = context.quick ? ['int8'] : ['fp32', 'int8']
  const tables: ResultTable[] = []
  const paths: string[] = []
  const { source: vocabSource } = await benchVocab()
  for (const variant of variants) {
    const modelPath = await syntheticTextModel(context, variant, { pipeline: true })
    paths.push(modelPath)
    tables.push(...(await measureVariant(context, variant, modelPath)))
  }
  return {
    name: 'edge-latency',
    title: 'a. Edge text latency (ms, batch 1, one thread) and peak memory',
    model: `synthetic JinaBERT (12 layers, or the 2-layer quick stand-in that the file names; 768 wide, 12 heads, GLU 3072, ALiBi, vocab 30528): ${variants.join(', ')}`,
    tables,
    notes: [
      'Text in, normalized vector out, on all three: the timed call tokenizes and embeds one text. ort-web: core WordPieceTokenizer + OnnxTextTower over createWebSession (onnxruntime-web WASM, one thread), the edge tower, then L2 normalization; transformers-js: `pipeline("feature-extraction", dir, { model_file_name: "text_model", device: "auto", session_options: { executionProviders: ["wasm"], intraOpNumThreads: 1 } })` called as `extractor(text, { pooling: "mean", normalize: true })`, handed the same onnxruntime-web (1 thread); ort-node: the same as ort-web over onnxruntime-node, one intra-op thread.',
      "Same file for all three. transformers.js's feature-extraction pipeline pools `last_hidden_state` (or logits/token_embeddings) itself and maps model_type jina_clip to JinaCLIPModel (text and vision in one graph), so it cannot run a text_model.onnx that only outputs the in-graph pooled `text_embeds`, the file our edge tower runs. The synthetic file therefore also outputs `last_hidden_state` (as a sentence-transformers export does) and its config.json says BERT: the pipeline mean-pools the states in JS, ours reads `text_embeds` (ONNX Runtime still hands it the states too, a tokens × 768 copy). Encoder work is identical.",
      `Texts of an exact token count ([CLS]/[SEP] included) built from the ${vocabSource}; the transformers-js worker asserts before timing that the pipeline's tokenizer gives core's ids, and the suite that all three runtimes fed the same ids.`,
      `Model files: ${paths.map((path) => relative(context.workDir, path)).join(', ')}.`,
      'Each runtime runs in its own process, runtimes interleaved run by run. transformers.js imports onnxruntime-node and its own onnxruntime-web at load even when handed ours, which its peak RSS includes.',
      `The shipped path (int8 table "by batch"): POST /v1/embeddings to the gateway's Worker (auth off) in workerd via Miniflare, its EDGE_TOWER service binding to ${SPLIT_PARTS} part Workers chained by NEXT, each running its part of the split int8 artifact (buildEdgeModel of the same fp32 file) from the local R2 bucket; bundles are what \`wrangler deploy --dry-run\` writes. Timed from Node: request, tokenizing, the chain, JSON of raw vectors. Every call sends texts no earlier call sent (distinct seeds), and the gateway must answer route edge, cache miss. The peers run the single-file int8 with the same weights and numerics (per-row activation scales, row-wise softmax), a batch of distinct texts of the same length per call, one thread.`,
    ],
  }
}

async function measureVariant(
  context: SuiteContext,
  variant: Variant,
  modelPath: string,
): Promise<ResultTable[]> {
  // Quick keeps the two lengths the routing threshold is chosen between and two runs for a spread.
  const tokens = context.quick ? [8, 16, 64] : [8, 16, 32, 64]
  const runs = context.quick ? 2 : 3
  const reps = context.quick ? 6 : 15
  const results: Record<Runtime, ChildResult[]> = { 'ort-web': [], 'transformers-js': [], 'ort-node': [] }
  // The shipped path exists for int8 only: the split tower in workerd, beside the peers' batches.
  const split =
    variant === 'int8'
      ? await startBenchSplitTower(context, 'edge-latency', { layers: syntheticLayers(modelPath) })
      : undefined
  const splitSamples: Record<string, number[]> = {}
  const seeds = { next: 1 }
  try {
    // Interleave runtimes run by run so drift on the machine hits all of them alike.
    for (let run = 0; run < runs; run++) {
      for (const runtime of runtimes) {
        context.log(`edge-latency: ${variant} ${runtime} run ${run + 1}/${runs}`)
        results[runtime].push(
          await runChild<ChildResult>('text-latency.ts', [
            runtime,
            modelPath,
            tokens.join(','),
            '3',
            String(reps),
            ...(split ? [PEER_BATCH_SHAPES.map(shapeKey).join(',')] : []),
          ]),
        )
      }
      if (split) {
        context.log(`edge-latency: ${variant} split tower in workerd run ${run + 1}/${runs}`)
        const samples = await timeSplitShapes(split, SPLIT_SHAPES, 2, Math.ceil(reps / 3), seeds)
        for (const [key, times] of Object.entries(samples))
          splitSamples[key] = [...(splitSamples[key] ?? []), ...times]
      }
    }
  } finally {
    await split?.host.dispose()
  }
  const rows = tokens.map((count) => {
    const row: Record<string, number> = { tokens: count }
    for (const runtime of runtimes) {
      const all = results[runtime].flatMap((result) => result.samples[count] ?? [])
      const summary = summarize(all)
      row[`${runtime}.p50`] = round(summary.p50)
      row[`${runtime}.p95`] = round(summary.p95)
      row[`${runtime}.iqr`] = round(summary.iqr)
      row.n = summary.n
    }
    row['ours/peer'] = round(row['ort-web.p50']! / row['transformers-js.p50']!, 3)
    row['ours/native'] = round(row['ort-web.p50']! / row['ort-node.p50']!, 3)
    return row
  })
  const memory = runtimes.map((runtime) => {
    const peaks = summarize(results[runtime].map((result) => result.peakRssMiB))
    const loads = summarize(results[runtime].map((result) => result.loadMs))
    return {
      runtime,
      peakRssMiB: round(peaks.median, 0),
      peakRssIqr: round(peaks.iqr, 0),
      loadMs: round(loads.median, 0),
    }
  })
  // Same work on every side, or the latencies compare nothing.
  for (const count of tokens) {
    const reference = results['ort-node'][0]!.ids[count]!.join()
    for (const runtime of runtimes)
      for (const result of results[runtime])
        if (result.ids[count]?.join() !== reference)
          throw new Error(`${runtime} fed other ids than ort-node for the ${count}-token text`)
  }
  // All three ran the same graph on the same ids: their outputs must agree.
  const agreement = tokens.map((count) => {
    const reference = results['ort-node'][0]!.checks[count]!
    const worst = Math.max(
      ...runtimes.flatMap((runtime) =>
        results[runtime].map((result) =>
          Math.max(...result.checks[count]!.map((value, index) => Math.abs(value - reference[index]!))),
        ),
      ),
    )
    return { tokens: count, maxAbsDiff: worst }
  })
  return [
    { title: `${variant}: latency by sequence length`, rows },
    ...(split ? [splitTable(split, splitSamples, results)] : []),
    { title: `${variant}: peak RSS and load time per runtime process`, rows: memory },
    {
      title: `${variant}: output agreement vs onnxruntime-node (first 8 values of the normalized vector)`,
      rows: agreement,
    },
  ]
}

/** The split tower behind the gateway in workerd, and the peers on the same int8 weights and batches. */
function splitTable(
  split: BenchSplitTower,
  splitSamples: Record<string, number[]>,
  results: Record<Runtime, ChildResult[]>,
): ResultTable {
  const rows = SPLIT_SHAPES.map((shape) => {
    const ours = summarize(splitSamples[shapeKey(shape)] ?? [])
    const row: Record<string, number> = {
      tokens: shape.tokens,
      batch: shape.batch,
      'workerd-split.p50': round(ours.p50),
      'workerd-split.p95': round(ours.p95),
      'workerd-split.n': ours.n,
    }
    for (const runtime of runtimes) {
      const peer = summarize(results[runtime].flatMap((result) => result.samples[peerKey(shape)] ?? []))
      row[`${runtime}.p50`] = round(peer.p50)
      row[`${runtime}.n`] = peer.n
    }
    row['split/transformers-js'] = round(row['workerd-split.p50']! / row['transformers-js.p50']!, 3)
    row['split/ort-node'] = round(row['workerd-split.p50']! / row['ort-node.p50']!, 3)
    return row
  })
  return {
    title: `int8: the shipped split tower (gateway → ${SPLIT_PARTS} part Workers in workerd, ${split.layers} layers) vs the peers, by batch`,
    rows,
  }
}
