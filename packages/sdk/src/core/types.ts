// The shapes callers pass and get back; the wire names (snake_case) stay inside the client.
import type { Encoding } from './decode'
import type { ImageSource } from './image-input'

/** A string is a text; objects say which modality they carry. */
export type EmbedInput = string | { text: string } | { image: ImageSource }

export interface Progress {
  /** Inputs embedded so far (whole batches). */
  completed: number
  total: number
}

export interface RequestOverrides {
  /** Aborts the call (and every batch of it); the SDK then throws APIUserAbortError. */
  signal?: AbortSignal
  /** Per attempt, in milliseconds; overrides the client's `timeout`. */
  timeout?: number
  maxRetries?: number
  /** Extra headers for this call, e.g. your own `x-request-id`. */
  headers?: Record<string, string>
}

export interface EmbedOptions extends RequestOverrides {
  /** L2-normalize each vector on the server (default true, as the API does). */
  normalized?: boolean
  /** Cut texts over the model's token limit instead of failing with 400 context_length_exceeded. */
  truncate?: boolean
  /** Wire encoding; `base64` by default. float/base64 give Float32Array, binary/ubinary Uint8Array. */
  encoding?: Encoding
  /** Model id; the served model when omitted. */
  model?: string
  /** Called after each batch of a job that the client split. */
  onProgress?: (progress: Progress) => void
}

export interface Usage {
  /** Text tokens after truncation, [CLS] and [SEP] included; images count 0. */
  promptTokens: number
  totalTokens: number
}

export interface EmbedResponse<Row extends Float32Array | Uint8Array = Float32Array> {
  /** One row per input, in input order. */
  embeddings: Row[]
  usage: Usage
  model: string
  /** The server's `x-request-id` of each call the job took (one per batch). */
  requestIDs: string[]
}

/** What GET /v1/models says about the served model. */
export interface ModelInfo {
  id: string
  revision: string
  dimensions: number
  maxTokens: number
  /** The most inputs one /v1/embeddings call accepts. */
  maxInputs: number
  modalities: string[]
}
