// What both ONNX towers share: picking the graph's tensor names, batch limits, and reading rows back.
import { EdgeclipError } from '../errors'
import type { ModelSpec } from '../model-spec'
import type { OnnxSession, TensorValue } from './onnx-session'

export const DEFAULT_MAX_BATCH_SIZE = 16

/** A graph that does not fit the model spec: a deployment fault, not the caller's. */
export const modelMismatch = (message: string): EdgeclipError =>
  new EdgeclipError(message, { status: 500, code: 'model_mismatch' })

export const invalidInput = (message: string, code: string): EdgeclipError =>
  new EdgeclipError(message, { status: 400, code, param: 'input' })

/** The spec's tensor name when the graph declares it, else the graph's only one. */
export function declaredName(names: readonly string[], expected: string, description: string): string {
  if (names.includes(expected)) return expected
  const [only] = names
  if (names.length === 1 && only !== undefined) return only
  throw modelMismatch(`the ${description} declares [${names.join(', ')}], none named ${expected}`)
}

export function checkMaxBatchSize(maxBatchSize: number): number {
  if (!(Number.isInteger(maxBatchSize) && maxBatchSize >= 1)) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`)
  }
  return maxBatchSize
}

export function checkBatchSize(size: number, maxBatchSize: number): void {
  if (size > maxBatchSize) {
    throw invalidInput(
      `a batch of ${size} exceeds the tower's maxBatchSize of ${maxBatchSize}; split it`,
      'batch_too_large',
    )
  }
}

/**
 * What every text tower refuses before running (400s the caller can act on): a batch over its size,
 * an empty text, more tokens than the model takes, or an id outside the embedding table.
 */
export function checkTextBatch(
  batch: readonly (readonly number[])[],
  spec: ModelSpec,
  maxBatchSize: number,
): void {
  checkBatchSize(batch.length, maxBatchSize)
  const { embeddingRows } = spec.tokenizer
  for (const [index, ids] of batch.entries()) {
    if (ids.length === 0) throw invalidInput(`input ${index} has no token ids`, 'empty_input')
    if (ids.length > spec.maxTokens) {
      throw invalidInput(
        `input ${index} has ${ids.length} tokens; ${spec.id} takes at most ${spec.maxTokens}`,
        'too_many_tokens',
      )
    }
    const bad = ids.find((id) => !(Number.isInteger(id) && id >= 0 && id < embeddingRows))
    if (bad !== undefined) {
      throw invalidInput(
        `input ${index} holds token id ${bad}, outside [0, ${embeddingRows})`,
        'invalid_token_id',
      )
    }
  }
}

/** IEEE half to float: fp16 exports may return float16 outputs. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

function floatData(output: TensorValue): Float32Array | undefined {
  if (output.type === 'float32' && output.data instanceof Float32Array) return output.data
  if (output.type === 'float16' && output.data instanceof Uint16Array) {
    return Float32Array.from(output.data, halfToFloat)
  }
  return undefined
}

/** Splits a [batch, dimensions] output into one fresh row per item, after checking its shape. */
export function readRows(
  outputs: Record<string, TensorValue>,
  name: string,
  batchSize: number,
  dimensions: number,
): Float32Array[] {
  const output = outputs[name]
  const data = output && floatData(output)
  const [rows, columns, ...rest] = output?.dims ?? []
  if (!output || !data || rows !== batchSize || columns !== dimensions || rest.length > 0) {
    const got = output ? `${output.type} [${output.dims.join(', ')}]` : 'nothing'
    throw modelMismatch(`output ${name} should be float32 [${batchSize}, ${dimensions}], got ${got}`)
  }
  return Array.from({ length: batchSize }, (_, row) => data.slice(row * dimensions, (row + 1) * dimensions))
}

export async function runSession(
  session: OnnxSession,
  feeds: Record<string, TensorValue>,
  signal: AbortSignal | undefined,
): Promise<Record<string, TensorValue>> {
  signal?.throwIfAborted()
  const outputs = await session.run(feeds)
  // ORT cannot cancel a running graph; a caller that gave up gets no rows it no longer wants.
  signal?.throwIfAborted()
  return outputs
}
