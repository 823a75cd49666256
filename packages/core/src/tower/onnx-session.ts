// The port between towers and an ONNX runtime. Adapters: `@edgeclip/core/onnx-web`, `@edgeclip/core/onnx-node`.

export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array

export type TensorType = 'float32' | 'int64' | 'int32' | 'uint8' | 'float16'

/** A plain tensor value, independent of any runtime's Tensor class. */
export interface TensorValue {
  type: TensorType
  data: TensorData
  dims: readonly number[]
}

export interface OnnxSession {
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  /** Runs the graph. Feeds must name only declared inputs. */
  run(feeds: Record<string, TensorValue>): Promise<Record<string, TensorValue>>
  release(): Promise<void>
}

export interface OnnxSessionOptions {
  /** Execution providers in order of preference, e.g. ['cuda', 'cpu'] or ['wasm']. */
  executionProviders?: readonly string[]
  intraOpThreads?: number
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all'
}

/** Creates sessions from model bytes; each runtime adapter provides one. */
export type OnnxSessionFactory = (model: Uint8Array, options?: OnnxSessionOptions) => Promise<OnnxSession>
