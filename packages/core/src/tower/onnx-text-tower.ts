// A text tower over any ONNX session (onnxruntime-web on the edge, onnxruntime-node on the backend):
// token ids in, one float32 row per text out, in order.
import type { ModelSpec } from '../model-spec'
import { l2Normalize } from './normalize'
import type { OnnxSession, TensorValue } from './onnx-session'
import {
  checkMaxBatchSize,
  checkTextBatch,
  DEFAULT_MAX_BATCH_SIZE,
  declaredName,
  modelMismatch,
  readRows,
  runSession,
} from './onnx-tower-io'
import type { TextTower, TowerRunOptions } from './tower'

export interface OnnxTowerOptions {
  /** Most items per call; callers split larger batches. */
  maxBatchSize?: number
}

// BERT exports may declare these beside input_ids; jina-clip-v1's does not (it masks pad id 0 itself).
const ATTENTION_MASK = 'attention_mask'
const TOKEN_TYPE_IDS = 'token_type_ids'
type TextInputRole = 'ids' | 'mask' | 'types'

export class OnnxTextTower implements TextTower {
  readonly modality = 'text'
  readonly dimensions: number
  readonly maxBatchSize: number
  readonly #session: OnnxSession
  readonly #spec: ModelSpec
  readonly #inputs: readonly (readonly [string, TextInputRole])[]
  readonly #outputName: string

  constructor(session: OnnxSession, spec: ModelSpec, options: OnnxTowerOptions = {}) {
    this.#session = session
    this.#spec = spec
    this.dimensions = spec.dimensions
    this.maxBatchSize = checkMaxBatchSize(options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE)
    const extras = [ATTENTION_MASK, TOKEN_TYPE_IDS]
    const idsName = declaredName(
      session.inputNames.filter((name) => !extras.includes(name)),
      spec.onnx.text.input,
      'text model input',
    )
    this.#inputs = session.inputNames.map((name) => {
      if (name === idsName) return [name, 'ids'] as const
      if (name === ATTENTION_MASK) return [name, 'mask'] as const
      if (name === TOKEN_TYPE_IDS) return [name, 'types'] as const
      throw modelMismatch(`the text model declares an input ${name} that the tower cannot feed`)
    })
    this.#outputName = declaredName(session.outputNames, spec.onnx.text.output, 'text model output')
  }

  async embed(batch: readonly (readonly number[])[], options: TowerRunOptions = {}): Promise<Float32Array[]> {
    if (batch.length === 0) return []
    checkTextBatch(batch, this.#spec, this.maxBatchSize)
    // The graph masks pad ids itself, so padding to the longest row leaves each row's vector as is.
    const sequenceLength = Math.max(...batch.map((ids) => ids.length))
    const dims = [batch.length, sequenceLength]
    const ids = new BigInt64Array(batch.length * sequenceLength).fill(BigInt(this.#spec.tokenizer.padId))
    const mask = new BigInt64Array(batch.length * sequenceLength)
    batch.forEach((row, rowIndex) => {
      row.forEach((id, column) => {
        ids[rowIndex * sequenceLength + column] = BigInt(id)
        mask[rowIndex * sequenceLength + column] = 1n
      })
    })
    const dataByRole: Record<TextInputRole, BigInt64Array> = {
      ids,
      mask,
      types: new BigInt64Array(batch.length * sequenceLength),
    }
    const feeds: Record<string, TensorValue> = {}
    for (const [name, role] of this.#inputs) feeds[name] = { type: 'int64', data: dataByRole[role], dims }
    const outputs = await runSession(this.#session, feeds, options.signal)
    const rows = readRows(outputs, this.#outputName, batch.length, this.dimensions)
    return options.normalize ? rows.map(l2Normalize) : rows
  }

  release(): Promise<void> {
    return this.#session.release()
  }
}
