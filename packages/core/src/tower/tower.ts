// The Tower contract: a batch in, one Float32Array row per item out, in order.
import type { Modality } from '../model-spec'

export interface TowerRunOptions {
  /** L2-normalize each row. Caches store raw rows and normalize per request instead. */
  normalize?: boolean
  signal?: AbortSignal
}

export interface Tower<Input> {
  readonly modality: Modality
  readonly dimensions: number
  /** Most items the tower takes per call; callers split larger batches. */
  readonly maxBatchSize: number
  embed(batch: readonly Input[], options?: TowerRunOptions): Promise<Float32Array[]>
  /**
   * Loads what the tower loads lazily and proves it answers; throws when it cannot. Readiness
   * probes call it. Towers that hold their session already (created in this process) leave it out.
   */
  ready?(options?: TowerRunOptions): Promise<void>
  release(): Promise<void>
}

/** A text tower takes token ids (with [CLS] and [SEP], already truncated). */
export type TextTower = Tower<readonly number[]>

/** An image tower takes preprocessed CHW float32 tensors of the model's size. */
export type ImageTower = Tower<Float32Array>
