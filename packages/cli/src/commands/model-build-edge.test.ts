import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEdgeTextModel } from '@edgeclip/edge-model/node'
import { writeSyntheticJinaBert } from '@edgeclip/testkit'
import * as ort from 'onnxruntime-web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capturedIo } from '../captured-io.test-support'
import { modelCommand } from './model'

ort.env.wasm.numThreads = 1

const cosine = (left: Float32Array, right: Float32Array) => {
  let dot = 0
  let leftSquares = 0
  let rightSquares = 0
  left.forEach((value, index) => {
    dot += value * right[index]!
    leftSquares += value * value
    rightSquares += right[index]! ** 2
  })
  return dot / Math.sqrt(leftSquares * rightSquares)
}

describe('edgeclip model build-edge', () => {
  let dir: string
  let fp32Path: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgeclip-build-edge-'))
    // Two JinaBERT layers: the CI-sized stand-in for the published text_model.onnx.
    fp32Path = (
      await writeSyntheticJinaBert(join(dir, 'onnx', 'text_model.onnx'), {
        shape: { layers: 2, vocabRows: 2048 },
      })
    ).path
  }, 60_000)
  afterAll(() => rm(dir, { recursive: true, force: true }))

  async function run(...argv: string[]) {
    const { io, output } = capturedIo({ env: { EDGECLIP_MODEL_DIR: dir }, cwd: dir })
    return { code: await modelCommand.run(['build-edge', ...argv], io), ...output }
  }

  it('writes parts that agree with fp32 at >= 0.999 cosine through onnxruntime-web', async () => {
    const result = await run()
    expect(result.code).toBe(0)
    const out = join(dir, 'edge')
    expect(JSON.parse(result.stdout).out).toBe(out)
    // It names the build it wrote: the id every hop of the split tower carries and cache keys name.
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'))
    expect(JSON.parse(result.stdout).buildId).toBe(manifest.buildId)
    expect(manifest.buildId).toMatch(/^[0-9a-f]{64}$/)
    expect((await readdir(out)).sort()).toEqual([
      'embeddings.int8',
      'manifest.json',
      'part-0.onnx',
      'part-0.onnx.data',
      'part-1.onnx',
      'part-1.onnx.data',
    ])
    const texts = [
      [101, 1996, 1937, 2003, 102],
      [101, 1037, 102],
      Array.from({ length: 40 }, (_, index) => 1000 + index),
    ]
    const reference = await ort.InferenceSession.create(fp32Path)
    const edge = await loadEdgeTextModel(out)
    const embeddings = await edge.embed(texts, 0)
    for (const [index, ids] of texts.entries()) {
      const outputs = await reference.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      })
      expect(cosine(embeddings[index]!, outputs.text_embeds!.data as Float32Array)).toBeGreaterThanOrEqual(
        0.999,
      )
    }
    await edge.release()
    await reference.release()
  }, 60_000)

  it('refuses bad flags and a missing input with a clear message', async () => {
    await expect(run('--parts', '0')).rejects.toThrow(/--parts/)
    await expect(run('--weights', 'fp8')).rejects.toThrow(/--weights/)
    const missing = await run('--in', join(dir, 'absent.onnx'))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/absent\.onnx does not exist/)
  })
})
