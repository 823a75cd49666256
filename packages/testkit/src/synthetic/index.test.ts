import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildEdgeModel,
  decodeEmbeddingTable,
  edgeBuildId,
  edgeFileSha256,
  embedTokenIds,
  type PartRunner,
  parseEdgeManifest,
} from '@edgeclip/edge-model'
import * as ortNode from 'onnxruntime-node'
import * as ortWeb from 'onnxruntime-web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alibiSlopes, jinaBertShape, writeSyntheticJinaBert } from '.'
import { jinaBertGraph } from './jina-bert-graph'

ortWeb.env.wasm.numThreads = 1

// Two layers and a small table keep the run fast; the layer structure is the full model's.
const shape = { layers: 2, intermediate: 1536, vocabRows: 4096 }
const batch = [
  [101, 2023, 2003, 1037, 3231, 1012, 102],
  [101, 3592, 102],
]
const padded = BigInt64Array.from(
  batch.flatMap((row) => [...row, ...Array(7 - row.length).fill(0)]).map(BigInt),
)

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0
  let leftSquares = 0
  let rightSquares = 0
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!
    leftSquares += left[index]! ** 2
    rightSquares += right[index]! ** 2
  }
  return dot / Math.sqrt(leftSquares * rightSquares)
}

const rows = (data: Float32Array) => [data.slice(0, 768), data.slice(768, 1536)] as const

async function runSingleFile(runtime: typeof ortNode | typeof ortWeb, path: string) {
  const session = await runtime.InferenceSession.create(new Uint8Array(await readFile(path)))
  const outputs = await session.run({ input_ids: new runtime.Tensor('int64', padded, [2, 7]) })
  await session.release()
  return rows(outputs.text_embeds!.data as Float32Array)
}

describe('synthetic JinaBERT', () => {
  let dir: string
  let reference: readonly [Float32Array, Float32Array]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synthetic-jinabert-'))
    const { path } = await writeSyntheticJinaBert(join(dir, 'fp32.onnx'), { shape })
    reference = await runSingleFile(ortNode, path)
  }, 60_000)
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('has the published fp32 size at full shape (137M parameters, 548 MB)', () => {
    const bytes = jinaBertGraph(jinaBertShape, 1).initializers.reduce(
      (sum, tensor) => sum + tensor.byteLength,
      0,
    )
    expect(bytes / 1e6).toBeGreaterThan(540)
    expect(bytes / 1e6).toBeLessThan(556)
  })

  it('uses the ALiBi slopes of a 12-head model', () => {
    const expected = [
      ...Array.from({ length: 8 }, (_, index) => 2 ** -(index + 1)),
      2 ** -0.5,
      2 ** -1.5,
      2 ** -2.5,
      2 ** -3.5,
    ]
    alibiSlopes(12).forEach((slope, index) => {
      expect(slope).toBeCloseTo(expected[index]!, 12)
    })
  })

  it('writes input_ids -> text_embeds that the web runtime reproduces, ignoring padding', async () => {
    const web = await runSingleFile(ortWeb, join(dir, 'fp32.onnx'))
    expect(cosine(web[0], reference[0])).toBeGreaterThan(0.99999)
    const session = await ortNode.InferenceSession.create(join(dir, 'fp32.onnx'))
    const unpadded = await session.run({
      input_ids: new ortNode.Tensor('int64', BigInt64Array.from(batch[1]!.map(BigInt)), [1, 3]),
    })
    expect(cosine(unpadded.text_embeds!.data as Float32Array, reference[1])).toBeGreaterThan(0.99999)
    expect(cosine(reference[0], reference[1])).toBeLessThan(0.99)
  })

  it.each([
    ['fp16', 0.999],
    ['int8', 0.9999],
    ['q4', 0.99],
  ] as const)('%s keeps the I/O and agrees with fp32 on both runtimes', async (variant, floor) => {
    const { path, bytes } = await writeSyntheticJinaBert(join(dir, `${variant}.onnx`), { shape, variant })
    expect(bytes).toBeLessThan((await readFile(join(dir, 'fp32.onnx'))).length * 0.51)
    for (const runtime of [ortNode, ortWeb]) {
      const output = await runSingleFile(runtime, path)
      expect(cosine(output[0], reference[0])).toBeGreaterThan(floor)
      expect(cosine(output[1], reference[1])).toBeGreaterThan(floor)
    }
  })

  it.each(['fp32', 'int8'] as const)(
    'lastHiddenState: %s adds per-token states whose mean is text_embeds, which stays as is',
    async (variant) => {
      const path = join(dir, `${variant}-hidden.onnx`)
      await writeSyntheticJinaBert(path, { shape, variant, lastHiddenState: true })
      const session = await ortNode.InferenceSession.create(path)
      expect(session.outputNames).toEqual(['text_embeds', 'last_hidden_state'])
      const outputs = await session.run({ input_ids: new ortNode.Tensor('int64', padded, [2, 7]) })
      await session.release()
      const pooled = rows(outputs.text_embeds!.data as Float32Array)
      const floor = variant === 'fp32' ? 0.99999 : 0.9999
      expect(cosine(pooled[0], reference[0])).toBeGreaterThan(floor)
      expect(cosine(pooled[1], reference[1])).toBeGreaterThan(floor)
      const states = outputs.last_hidden_state!
      expect(states.dims).toEqual([2, 7, 768])
      // Row 1 holds 3 real tokens then pads: the pipeline's mean over its attention mask.
      const mean = new Float32Array(768)
      for (let token = 0; token < batch[1]!.length; token++)
        for (let index = 0; index < 768; index++)
          mean[index]! += (states.data as Float32Array)[(7 + token) * 768 + index]! / batch[1]!.length
      expect(cosine(mean, pooled[1])).toBeGreaterThan(0.99999)
    },
  )

  it('lastHiddenState is refused for the edge artifact', async () => {
    await expect(
      writeSyntheticJinaBert(join(dir, 'edge-hidden'), { shape, variant: 'edge', lastHiddenState: true }),
    ).rejects.toThrow(RangeError)
  })

  it('edge: two parts chained through the web runtime agree with fp32 at >= 0.999', async () => {
    const { path } = await writeSyntheticJinaBert(join(dir, 'edge'), { shape, variant: 'edge' })
    const manifest = parseEdgeManifest(await readFile(join(path, 'manifest.json'), 'utf8'))
    expect(manifest.parts.map((part) => part.inputs)).toEqual([
      ['input_ids', 'inputs_embeds'],
      ['input_ids', manifest.parts[0]!.outputs[0]],
    ])
    const tableBytes = new Uint8Array(await readFile(join(path, manifest.table.file)))
    const table = decodeEmbeddingTable(tableBytes, manifest.table.rows, manifest.table.width)
    const runners: PartRunner[] = []
    for (const part of manifest.parts) {
      const session = await ortWeb.InferenceSession.create(
        new Uint8Array(await readFile(join(path, part.file))),
        {
          externalData: [{ path: part.data, data: new Uint8Array(await readFile(join(path, part.data))) }],
        },
      )
      runners.push(async (feeds) => {
        const inputs = Object.fromEntries(
          Object.entries(feeds).map(([name, value]) => [
            name,
            new ortWeb.Tensor(value.type as 'float32', value.data as Float32Array, value.dims),
          ]),
        )
        const outputs = await session.run(inputs)
        return Object.fromEntries(
          Object.entries(outputs).map(([name, tensor]) => [
            name,
            { type: 'float32', data: tensor.data as Float32Array, dims: tensor.dims },
          ]),
        )
      })
    }
    const embeddings = await embedTokenIds(manifest, table, runners, batch, 0)
    expect(cosine(embeddings[0]!, reference[0])).toBeGreaterThan(0.999)
    expect(cosine(embeddings[1]!, reference[1])).toBeGreaterThan(0.999)
  })

  it('edge: the manifest names its build by the hash of its parts and table', async () => {
    const fp32 = new Uint8Array(await readFile(join(dir, 'fp32.onnx')))
    const first = await buildEdgeModel(fp32, { parts: 2 })
    const again = await buildEdgeModel(fp32, { parts: 2 })
    expect(first.manifest.buildId).toMatch(/^[0-9a-f]{64}$/)
    expect(again.manifest.buildId).toBe(first.manifest.buildId)
    expect(await edgeBuildId(first.manifest)).toBe(first.manifest.buildId)
    const [part] = first.manifest.parts
    expect(part!.sha256.data).toBe(await edgeFileSha256(first.files.get(part!.data)!))
    expect(first.manifest.table.sha256).toBe(
      await edgeFileSha256(first.files.get(first.manifest.table.file)!),
    )
    // Other weights, or the same weights split differently, are another build.
    const { path } = await writeSyntheticJinaBert(join(dir, 'other-seed.onnx'), { shape, seed: 7 })
    const other = await buildEdgeModel(new Uint8Array(await readFile(path)), { parts: 2 })
    const threeParts = await buildEdgeModel(fp32, { parts: 3 })
    expect(new Set([first, other, threeParts].map((build) => build.manifest.buildId)).size).toBe(3)
    const { buildId: _dropped, ...unnamed } = first.manifest
    expect(() => parseEdgeManifest(JSON.stringify(unnamed))).toThrow(/no buildId/)
  })
})
