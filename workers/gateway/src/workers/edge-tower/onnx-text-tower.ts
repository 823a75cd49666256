// A text tower over any ONNX session (ORT Web on Workers, onnxruntime-node on the Node host):
// token ids in, one float32 row per text out.
import type { ModelSpec, OnnxSession, TextTower, TowerRunOptions } from '@edgeclip/core'

function l2Normalize(row: Float32Array): Float32Array {
  let sum = 0
  for (const value of row) sum += value * value
  const norm = Math.sqrt(sum)
  if (norm === 0) return row
  return row.map((value) => value / norm)
}

/** Picks the spec's tensor name when the graph declares it, else the graph's only one. */
function declaredName(names: readonly string[], expected: string, role: string): string {
  if (names.includes(expected)) return expected
  if (names.length === 1) return names[0]!
  throw new Error(`text model declares ${role}s [${names.join(', ')}], none named ${expected}`)
}

export class OnnxTextTower implements TextTower {
  readonly modality = 'text'
  readonly dimensions: number
  readonly maxBatchSize: number
  readonly #session: OnnxSession
  readonly #spec: ModelSpec
  readonly #inputName: string
  readonly #outputName: string

  constructor(session: OnnxSession, spec: ModelSpec, options: { maxBatchSize?: number } = {}) {
    this.#session = session
    this.#spec = spec
    this.dimensions = spec.dimensions
    this.maxBatchSize = options.maxBatchSize ?? 16
    this.#inputName = declaredName(session.inputNames, spec.onnx.text.input, 'input')
    this.#outputName = declaredName(session.outputNames, spec.onnx.text.output, 'output')
  }

  async embed(batch: readonly (readonly number[])[], options: TowerRunOptions = {}): Promise<Float32Array[]> {
    if (batch.length === 0) return []
    if (batch.length > this.maxBatchSize) {
      throw new RangeError(`batch of ${batch.length} exceeds maxBatchSize ${this.maxBatchSize}`)
    }
    options.signal?.throwIfAborted()
    // The graph masks the pad id itself, so padding to the longest row is all the batching needs.
    const sequenceLength = Math.max(...batch.map((ids) => ids.length))
    const ids = new BigInt64Array(batch.length * sequenceLength).fill(BigInt(this.#spec.tokenizer.padId))
    batch.forEach((row, rowIndex) => {
      row.forEach((id, column) => {
        ids[rowIndex * sequenceLength + column] = BigInt(id)
      })
    })
    const outputs = await this.#session.run({
      [this.#inputName]: { type: 'int64', data: ids, dims: [batch.length, sequenceLength] },
    })
    const output = outputs[this.#outputName]
    if (!output || !(output.data instanceof Float32Array) || output.dims.at(-1) !== this.dimensions) {
      throw new Error(`text model output ${this.#outputName} is not float32 [batch, ${this.dimensions}]`)
    }
    const data = output.data
    return batch.map((_, rowIndex) => {
      const row = data.slice(rowIndex * this.dimensions, (rowIndex + 1) * this.dimensions)
      return options.normalize ? l2Normalize(row) : row
    })
  }

  release(): Promise<void> {
    return this.#session.release()
  }
}
