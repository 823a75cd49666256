// OnnxTextTower on real ONNX Runtime sessions: the fixture model and graphs that vary its inputs.
import { EdgeclipError, fixtureModelSpec, type OnnxSession, OnnxTextTower } from '@edgeclip/core'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFixtureTextModel } from '../../src'
import { buildTextGraph, expectedMean } from './test-graphs'

const { tokenizer, dimensions, maxTokens } = fixtureModelSpec
const { clsId, sepId } = tokenizer
const text = (...ids: number[]) => [clsId, ...ids, sepId]
const norm = (row: Float32Array) => Math.hypot(...row)

function maxAbsDiff(left: Float32Array, right: Float32Array): number {
  return left.reduce((max, value, index) => Math.max(max, Math.abs(value - (right[index] as number))), 0)
}

const sessions: OnnxSession[] = []
async function session(model: Uint8Array): Promise<OnnxSession> {
  const created = await createNodeSession(model)
  sessions.push(created)
  return created
}
afterAll(async () => {
  for (const created of sessions) await created.release()
})

describe('OnnxTextTower on the fixture model', () => {
  let tower: OnnxTextTower
  beforeAll(async () => {
    tower = new OnnxTextTower(await session(buildFixtureTextModel()), fixtureModelSpec, { maxBatchSize: 4 })
  })

  it('returns one row per text, in input order', async () => {
    const batch = [text(200), text(300, 301), text(400, 401, 402)]
    const rows = await tower.embed(batch)
    expect(rows).toHaveLength(3)
    for (const [index, ids] of batch.entries()) {
      const [alone] = await tower.embed([ids])
      expect(rows[index]).toHaveLength(dimensions)
      expect(maxAbsDiff(rows[index] as Float32Array, alone as Float32Array)).toBeLessThanOrEqual(1e-6)
    }
    expect(maxAbsDiff(rows[0] as Float32Array, rows[1] as Float32Array)).toBeGreaterThan(1e-3)
  })

  it('gives a short text the same row alone and padded beside a longer one', async () => {
    const short = text(250)
    const [alone] = await tower.embed([short])
    const [, padded] = await tower.embed([
      text(...Array.from({ length: 40 }, (_, index) => 120 + index)),
      short,
    ])
    expect(maxAbsDiff(padded as Float32Array, alone as Float32Array)).toBeLessThanOrEqual(1e-6)
  })

  it('L2-normalizes only when asked', async () => {
    const [raw] = await tower.embed([text(210, 211)])
    const [normalized] = await tower.embed([text(210, 211)], { normalize: true })
    expect(norm(raw as Float32Array)).not.toBeCloseTo(1, 2)
    expect(norm(normalized as Float32Array)).toBeCloseTo(1, 5)
  })

  it('answers an empty batch with no rows', async () => {
    expect(await tower.embed([])).toEqual([])
  })

  it('refuses a batch over maxBatchSize with a 400', async () => {
    const batch = Array.from({ length: 5 }, () => text(200))
    await expect(tower.embed(batch)).rejects.toMatchObject({ status: 400, code: 'batch_too_large' })
  })

  it.each([
    ['an empty row', [], 'empty_input'],
    ['an id past the embedding table', text(tokenizer.embeddingRows), 'invalid_token_id'],
    ['a negative id', text(-1), 'invalid_token_id'],
    ['a fractional id', text(1.5), 'invalid_token_id'],
    ['more tokens than the model takes', Array.from({ length: maxTokens + 1 }, () => 200), 'too_many_tokens'],
  ])('refuses %s with a 400', async (_, ids, code) => {
    const error = await tower.embed([text(200), ids]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(EdgeclipError)
    expect(error).toMatchObject({ status: 400, code })
    expect((error as Error).message).toContain('input 1')
  })

  it('stops before running when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort(new Error('client went away'))
    await expect(tower.embed([text(200)], { signal: controller.signal })).rejects.toThrow('client went away')
  })

  it('rejects a maxBatchSize that is not a positive integer', async () => {
    const fixture = await session(buildFixtureTextModel())
    expect(() => new OnnxTextTower(fixture, fixtureModelSpec, { maxBatchSize: 0 })).toThrow(RangeError)
  })
})

describe('OnnxTextTower reads the graph it is given', () => {
  const batch = [text(200, 201, 202), text(300)]

  it('feeds attention_mask and token_type_ids when the graph declares them', async () => {
    const graph = buildTextGraph({
      extraInputs: ['attention_mask', 'token_type_ids'],
      poolWithAttentionMask: true,
    })
    const tower = new OnnxTextTower(await session(graph), fixtureModelSpec)
    const rows = await tower.embed(batch)
    for (const [index, ids] of batch.entries()) {
      expect(rows[index]?.[0]).toBeCloseTo(expectedMean(ids), 4)
      expect(rows[index]?.[dimensions - 1]).toBeCloseTo(expectedMean(ids), 4)
    }
  })

  it("uses the graph's only output when it has another name", async () => {
    const tower = new OnnxTextTower(
      await session(buildTextGraph({ outputName: 'sentence_embedding' })),
      fixtureModelSpec,
    )
    const [row] = await tower.embed([text(150)])
    expect(row?.[0]).toBeCloseTo(expectedMean(text(150)), 4)
  })

  it('refuses a graph with an input it cannot feed', async () => {
    const graph = await session(buildTextGraph({ extraInputs: ['position_ids'] }))
    expect(() => new OnnxTextTower(graph, fixtureModelSpec)).toThrow(
      expect.objectContaining({
        status: 500,
        code: 'model_mismatch',
        message: expect.stringContaining('position_ids'),
      }),
    )
  })

  it('refuses output rows of the wrong width', async () => {
    const tower = new OnnxTextTower(await session(buildTextGraph({ width: 5 })), fixtureModelSpec)
    await expect(tower.embed(batch)).rejects.toMatchObject({
      code: 'model_mismatch',
      message: expect.stringContaining(`[2, ${dimensions}]`),
    })
  })
})
