import { fixtureModelSpec } from '@edgeclip/core'
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { describe, expect, it } from 'vitest'
import { createEdgeTowerLoader } from '../../src/workers/edge-tower'
import { fixtureTextModel } from '../../src/workers/fixture'
import { workersOnnxRuntimeHeapBytes } from '../../src/workers/onnx-runtime'
import { maxAbsoluteDifference, referenceTextVectors } from './support/reference-vectors'

const TOLERANCE = 1e-4
const { clsId, sepId } = fixtureModelSpec.tokenizer

describe('edge text tower in workerd', () => {
  const loadTower = createEdgeTowerLoader({
    spec: fixtureModelSpec,
    loadModel: async () => new Uint8Array(fixtureTextModel),
    wasmModule: ortWasm,
    maxBatchSize: 4,
  })

  it('gives the vectors onnxruntime-node gives for the same ids, padded batch included', async () => {
    const batch = [
      [clsId, 150, 151, 152, sepId],
      [clsId, 160, sepId],
      [clsId, 300, 301, 302, 303, 304, 305, sepId],
    ]
    const tower = await loadTower()
    const [actual, expected] = await Promise.all([tower.embed(batch), referenceTextVectors(batch)])
    expect(actual).toHaveLength(batch.length)
    actual.forEach((row, index) => {
      expect(row).toHaveLength(fixtureModelSpec.dimensions)
      expect(maxAbsoluteDifference(row, expected[index]!)).toBeLessThan(TOLERANCE)
    })
  })

  it('loads once per isolate and normalizes on request', async () => {
    const tower = await loadTower()
    expect(await loadTower()).toBe(tower)
    const [row] = await tower.embed([[clsId, 170, sepId]], { normalize: true })
    const norm = Math.hypot(...row!)
    expect(norm).toBeCloseTo(1, 5)
  })

  it('refuses batches over its maximum instead of running them', async () => {
    const tower = await loadTower()
    const batch = Array.from({ length: tower.maxBatchSize + 1 }, () => [clsId, sepId])
    await expect(tower.embed(batch)).rejects.toMatchObject({ status: 400, code: 'batch_too_large' })
  })
})

describe('edge tower memory', () => {
  it('reports the ONNX Runtime heap after the fixture tower is loaded', async () => {
    const tower = await createEdgeTowerLoader({
      spec: fixtureModelSpec,
      loadModel: async () => new Uint8Array(fixtureTextModel),
      wasmModule: ortWasm,
    })()
    await tower.embed([[clsId, 150, sepId]])
    const heapBytes = workersOnnxRuntimeHeapBytes()
    // The heap holds at least the model's weights; the figure itself is logged for the report.
    expect(heapBytes).toBeGreaterThan(fixtureTextModel.byteLength)
    console.log(`ORT wasm heap with the fixture tower: ${((heapBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`)
  })
})
