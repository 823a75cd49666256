// An image tower over any ONNX session: preprocessed CHW float32 tensors in, one row per image out.
import type { ModelSpec } from '../model-spec'
import { l2Normalize } from './normalize'
import type { OnnxSession } from './onnx-session'
import type { OnnxTowerOptions } from './onnx-text-tower'
import {
  checkBatchSize,
  checkMaxBatchSize,
  DEFAULT_MAX_BATCH_SIZE,
  declaredName,
  invalidInput,
  modelMismatch,
  readRows,
  runSession,
} from './onnx-tower-io'
import type { ImageTower, TowerRunOptions } from './tower'

const CHANNELS = 3

export class OnnxImageTower implements ImageTower {
  readonly modality = 'image'
  readonly dimensions: number
  readonly maxBatchSize: number
  readonly #session: OnnxSession
  readonly #size: number
  readonly #inputName: string
  readonly #outputName: string

  constructor(session: OnnxSession, spec: ModelSpec, options: OnnxTowerOptions = {}) {
    this.#session = session
    this.#size = spec.image.size
    this.dimensions = spec.dimensions
    this.maxBatchSize = checkMaxBatchSize(options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE)
    // pixel_values is the graph's only input: anything else would need values this tower lacks.
    this.#inputName = declaredName(session.inputNames, spec.onnx.image.input, 'vision model input')
    if (session.inputNames.length !== 1) {
      throw modelMismatch(
        `the vision model declares inputs [${session.inputNames.join(', ')}]; the tower feeds only ${this.#inputName}`,
      )
    }
    this.#outputName = declaredName(session.outputNames, spec.onnx.image.output, 'vision model output')
  }

  async embed(batch: readonly Float32Array[], options: TowerRunOptions = {}): Promise<Float32Array[]> {
    if (batch.length === 0) return []
    checkBatchSize(batch.length, this.maxBatchSize)
    const itemLength = CHANNELS * this.#size * this.#size
    const pixels = new Float32Array(batch.length * itemLength)
    batch.forEach((tensor, index) => {
      if (!(tensor instanceof Float32Array) || tensor.length !== itemLength) {
        const got = tensor instanceof Float32Array ? `${tensor.length} values` : 'not a Float32Array'
        throw invalidInput(
          `image ${index} should be a float32 [${CHANNELS}, ${this.#size}, ${this.#size}] tensor (${itemLength} values), got ${got}`,
          'invalid_image_tensor',
        )
      }
      pixels.set(tensor, index * itemLength)
    })
    const dims = [batch.length, CHANNELS, this.#size, this.#size]
    const feeds = { [this.#inputName]: { type: 'float32' as const, data: pixels, dims } }
    const outputs = await runSession(this.#session, feeds, options.signal)
    const rows = readRows(outputs, this.#outputName, batch.length, this.dimensions)
    return options.normalize ? rows.map(l2Normalize) : rows
  }

  release(): Promise<void> {
    return this.#session.release()
  }
}
