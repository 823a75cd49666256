// The edge build gives a text the same vector alone and inside any batch, whatever its neighbours
// and its padding: numerics are per row (per-token activation scales), never over the whole batch.
// Run as it ships: the split artifact through onnxruntime-web (WASM, one thread), part after part.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_MAX_BATCH_SIZE, jinaClipV1, l2Normalize } from '@edgeclip/core'
import { type LocalEdgeTextModel, loadEdgeTextModel } from '@edgeclip/edge-model/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededValues } from '../fixtures/seeded-values'
import { writeSyntheticJinaBert } from '.'

// Two layers split in two parts: the shipped build's structure at a size a CI box runs in seconds.
const shape = { layers: 2, intermediate: 1536, vocabRows: 4096 }
const SHORT_TEXTS = 200
const LONG_TEXTS = 24
const BATCHINGS = 5
/** Max |diff| of normalized vectors: float summation order may differ by batch shape, nothing more. */
const TOLERANCE = 1e-5
const { clsId, sepId, padId } = jinaClipV1.tokenizer

/** A seeded stream of uniforms in [0, 1). */
function uniforms(seed: number): () => number {
  const values = seededValues(100_000, seed)
  let next = 0
  return () => (values[next++ % values.length]! + 1) / 2
}

function makeTexts(random: () => number): number[][] {
  const text = (length: number) => [
    clsId,
    ...Array.from({ length: length - 2 }, () => 999 + Math.floor(random() * (shape.vocabRows - 999))),
    sepId,
  ]
  const short = Array.from({ length: SHORT_TEXTS }, (_, index) => text(2 + (index % 15)))
  const long = Array.from({ length: LONG_TEXTS }, () => text(17 + Math.floor(random() * 48)))
  return [...short, ...long]
}

/** `BATCHINGS` shuffles of all text indices, each cut into batches of 2..DEFAULT_MAX_BATCH_SIZE. */
function makeBatches(count: number, random: () => number): number[][] {
  const batches: number[][] = []
  for (let pass = 0; pass < BATCHINGS; pass++) {
    const order = Array.from({ length: count }, (_, index) => index)
    for (let index = order.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1))
      ;[order[index], order[other]] = [order[other]!, order[index]!]
    }
    while (order.length > 0)
      batches.push(order.splice(0, 2 + Math.floor(random() * (DEFAULT_MAX_BATCH_SIZE - 1))))
  }
  return batches
}

describe('edge build: batch invariance', () => {
  let dir: string
  let model: LocalEdgeTextModel

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-invariance-'))
    const { path } = await writeSyntheticJinaBert(join(dir, 'edge'), { shape, variant: 'edge', parts: 2 })
    model = await loadEdgeTextModel(path)
  }, 120_000)
  afterAll(async () => {
    await model?.release()
    await rm(dir, { recursive: true, force: true })
  })

  it(`gives each of ${SHORT_TEXTS + LONG_TEXTS} texts its lone vector inside ${BATCHINGS} random padded batches`, async () => {
    expect(model.manifest.parts).toHaveLength(2)
    const random = uniforms(11)
    const texts = makeTexts(random)
    const alone: Float32Array[] = []
    for (const text of texts) alone.push(l2Normalize((await model.embed([text], padId))[0]!))
    let worst = 0
    let worstText = -1
    let batchedCount = 0
    for (const batch of makeBatches(texts.length, random)) {
      const rows = await model.embed(
        batch.map((index) => texts[index]!),
        padId,
      )
      rows.forEach((row, position) => {
        const index = batch[position]!
        const normalized = l2Normalize(row)
        for (let dim = 0; dim < normalized.length; dim++) {
          const diff = Math.abs(normalized[dim]! - alone[index]![dim]!)
          if (diff > worst) [worst, worstText] = [diff, index]
        }
        batchedCount++
      })
    }
    expect(batchedCount).toBe(texts.length * BATCHINGS)
    expect(
      worst,
      `text ${worstText} (${texts[worstText]?.length} tokens) moved by ${worst} inside a batch`,
    ).toBeLessThanOrEqual(TOLERANCE)
  }, 120_000)
})
