// Cosine agreement of each variant with fp32 on the synthetic model: fp32 on onnxruntime-node (the
// reference), the variants on onnxruntime-web (WASM, one thread), as a Worker would run them.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadEdgeTextModel } from '@edgeclip/edge-model/node'
import * as ortNode from 'onnxruntime-node'
import * as ortWeb from 'onnxruntime-web'

export interface Agreement {
  variant: string
  minCosine: number
  meanCosine: number
}

const LENGTHS = [8, 16, 32, 64]

/** [CLS] ... [SEP] texts of each length with ids spread over the vocabulary. */
const texts = LENGTHS.map((length) =>
  Array.from({ length }, (_, index) =>
    index === 0 ? 101 : index === length - 1 ? 102 : 110 + ((index * 7919 + length) % 30_400),
  ),
)
const idsOf = (text: readonly number[]) => BigInt64Array.from(text.map(BigInt))

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

const summary = (variant: string, values: number[]): Agreement => ({
  variant,
  minCosine: Math.round(Math.min(...values) * 1e5) / 1e5,
  meanCosine: Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 1e5) / 1e5,
})

export async function measureAgreement(
  fp32Path: string,
  singleFiles: readonly { variant: string; path: string }[],
  edgeDirs: readonly { variant: string; dir: string }[],
): Promise<Agreement[]> {
  ortWeb.env.wasm.numThreads = 1
  const reference = await ortNode.InferenceSession.create(fp32Path)
  const expected: Float32Array[] = []
  for (const text of texts) {
    const outputs = await reference.run({
      input_ids: new ortNode.Tensor('int64', idsOf(text), [1, text.length]),
    })
    expected.push(outputs.text_embeds!.data as Float32Array)
  }
  await reference.release()
  const results: Agreement[] = []
  for (const { variant, path } of singleFiles) {
    const session = await ortWeb.InferenceSession.create(new Uint8Array(await readFile(path)))
    const values: number[] = []
    for (const [index, text] of texts.entries()) {
      const outputs = await session.run({
        input_ids: new ortWeb.Tensor('int64', idsOf(text), [1, text.length]),
      })
      values.push(cosine(expected[index]!, outputs.text_embeds!.data as Float32Array))
    }
    await session.release()
    results.push(summary(variant, values))
  }
  for (const { variant, dir } of edgeDirs) {
    const model = await loadEdgeTextModel(join(dir))
    const rows = await model.embed(texts, 0)
    await model.release()
    results.push(
      summary(
        variant,
        rows.map((row, index) => cosine(expected[index]!, row)),
      ),
    )
  }
  return results
}
