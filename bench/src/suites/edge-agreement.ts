// Figure e: the shipped int8 split tower against fp32 — cosine with onnxruntime-node on the un-split
// fp32 file, each text embedded alone through the part Workers in workerd; and the same texts inside
// random batches of the gateway's edge batch size, which must give them the same vectors.
import { DEFAULT_MAX_BATCH_SIZE, jinaClipV1, l2Normalize } from '@edgeclip/core'
import * as ortNode from 'onnxruntime-node'
import { round } from '../stats'
import type { SuiteContext, SuiteResult } from '../suite'
import { SPLIT_PARTS, startBenchSplitTower } from './split-tower'

const SHORT_TEXTS = 200
const LONG_TEXTS = 24
/** First id the random texts draw from: past the special and unused tokens of BERT's vocab. */
const FIRST_WORD_ID = 999
const { clsId, sepId, vocabSize } = jinaClipV1.tokenizer

/** Seeded uniforms in [0, 1) (an LCG: reproducible texts, no quality needed). */
function uniforms(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** 200 texts of 2-16 tokens (every length alike) and 24 of 17-64, [CLS] and [SEP] included. */
function makeTexts(random: () => number): number[][] {
  const text = (length: number) => [
    clsId,
    ...Array.from(
      { length: length - 2 },
      () => FIRST_WORD_ID + Math.floor(random() * (vocabSize - FIRST_WORD_ID)),
    ),
    sepId,
  ]
  const short = Array.from({ length: SHORT_TEXTS }, (_, index) => text(2 + (index % 15)))
  const long = Array.from({ length: LONG_TEXTS }, () => text(17 + Math.floor(random() * 48)))
  return [...short, ...long]
}

function cosine(left: Float32Array, right: Float32Array): number {
  let [dot, leftSquares, rightSquares] = [0, 0, 0]
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!
    leftSquares += left[index]! ** 2
    rightSquares += right[index]! ** 2
  }
  return dot / Math.sqrt(leftSquares * rightSquares)
}

const maxAbsDiff = (left: Float32Array, right: Float32Array) =>
  left.reduce((worst, value, index) => Math.max(worst, Math.abs(value - right[index]!)), 0)

export async function edgeAgreement(context: SuiteContext): Promise<SuiteResult> {
  const random = uniforms(7)
  const texts = makeTexts(random)
  const tower = await startBenchSplitTower(context, 'edge-agreement')
  const cosines: number[] = []
  const alone: Float32Array[] = []
  let invariance = { batches: 0, worst: 0 }
  try {
    context.log(`edge-agreement: fp32 reference on onnxruntime-node (${texts.length} texts, one at a time)`)
    const reference = await ortNode.InferenceSession.create(tower.fp32Path, { intraOpNumThreads: 1 })
    const expected: Float32Array[] = []
    for (const text of texts) {
      const ids = new ortNode.Tensor('int64', BigInt64Array.from(text.map(BigInt)), [1, text.length])
      expected.push((await reference.run({ input_ids: ids })).text_embeds!.data as Float32Array)
    }
    await reference.release()
    context.log(`edge-agreement: ${texts.length} texts alone through the part Workers in workerd`)
    for (const [index, text] of texts.entries()) {
      const [row] = await tower.host.embedIds([text])
      alone.push(l2Normalize(row!))
      cosines.push(cosine(row!, expected[index]!))
    }
    invariance = await batchedAgain(tower, texts, alone, random, context)
  } finally {
    await tower.host.dispose()
  }
  const band = (label: string, from: number, to: number) => {
    const values = cosines.slice(from, to)
    return {
      texts: label,
      n: values.length,
      minCosine: round(Math.min(...values), 6),
      meanCosine: round(values.reduce((sum, value) => sum + value, 0) / values.length, 6),
    }
  }
  return {
    name: 'edge-agreement',
    title: 'e. Edge numerics: the shipped int8 split tower vs fp32, and the same text alone vs batched',
    model: `synthetic JinaBERT (${tower.layers} layers, 768 wide, 12 heads, GLU 3072, ALiBi, vocab 30528), int8 edge build in ${SPLIT_PARTS} parts vs the fp32 file it was built from`,
    tables: [
      {
        title:
          'cosine of the split tower (workerd, each text alone) with fp32 onnxruntime-node (raw text_embeds)',
        rows: [
          band('2-16 tokens', 0, SHORT_TEXTS),
          band('17-64 tokens', SHORT_TEXTS, texts.length),
          band('all', 0, texts.length),
        ],
      },
      {
        title: `batch invariance in workerd: texts inside random batches of up to ${DEFAULT_MAX_BATCH_SIZE} vs alone (normalized vectors)`,
        rows: [{ batches: invariance.batches, worstMaxAbsDiff: invariance.worst }],
      },
    ],
    notes: [
      `Texts: ${SHORT_TEXTS} of 2-16 tokens (each length alike) and ${LONG_TEXTS} of 17-64, seeded random ids from ${FIRST_WORD_ID} up, [CLS] and [SEP] included; token ids go straight to part 0 as the gateway's EDGE_TOWER binding sends them (the gateway itself routes texts over 16 tokens to the backend).`,
      'Part Workers: the bundle `wrangler deploy --dry-run -c wrangler.edge-part.jsonc` writes, in workerd via Miniflare, reading the artifact from the local R2 bucket; the reference is onnxruntime-node (CPU, one thread) on the un-split fp32 file.',
      'Batches: every text once in each of two shuffles, cut into batches of 2 to 16 texts, padded with id 0 to their longest; the worst max |diff| over all texts and batches of the L2-normalized vectors.',
    ],
  }
}

/** Every text inside two random batchings; the worst change of its normalized vector. */
async function batchedAgain(
  tower: Awaited<ReturnType<typeof startBenchSplitTower>>,
  texts: readonly number[][],
  alone: readonly Float32Array[],
  random: () => number,
  context: SuiteContext,
): Promise<{ batches: number; worst: number }> {
  let [batches, worst] = [0, 0]
  for (let pass = 0; pass < 2; pass++) {
    context.log(`edge-agreement: batching ${pass + 1}/2 through the part Workers`)
    const order = texts.map((_, index) => index).sort(() => random() - 0.5)
    while (order.length > 0) {
      const batch = order.splice(0, 2 + Math.floor(random() * (DEFAULT_MAX_BATCH_SIZE - 1)))
      const rows = await tower.host.embedIds(batch.map((index) => texts[index]!))
      rows.forEach((row, position) => {
        worst = Math.max(worst, maxAbsDiff(l2Normalize(row), alone[batch[position]!]!))
      })
      batches++
    }
  }
  return { batches, worst }
}
