// The client: one EdgeClip per gateway and key; embed() splits, retries and decodes.
import { decodeEmbedding, type Encoding } from '../core/decode'
import type { CachedRow } from '../core/embedding-store'
import { APIError, EdgeClipSDKError, NotFoundError, PayloadTooLargeError } from '../core/errors'
import { type ImageSource, imageToWire } from '../core/image-input'
import { requestJSON, type TransportConfig } from '../core/request'
import { runBatches } from '../core/run-batches'
import type {
  EmbedInput,
  EmbedOptions,
  EmbedResponse,
  ModelInfo,
  RequestOverrides,
  Usage,
} from '../core/types'
import { isBrowser } from '../internal/runtime'
import { VERSION } from '../version'
import { CachedEmbedder, type WireInput } from './cached-embed'
import {
  DEFAULT_MAX_BATCH_SIZE,
  type EdgeClipOptions,
  type ResolvedOptions,
  resolveOptions,
} from './client-options'
import type { WireEmbeddingsResponse, WireModelList } from './wire'

type FloatEncoding = 'float' | 'base64'
type PackedEncoding = 'binary' | 'ubinary'
const DEFAULT_ENCODING: Encoding = 'base64'
/** `{"image":""},` and the like around each item's string. */
const WIRE_ITEM_OVERHEAD = 16

/**
 * @example
 * const client = new EdgeClip({ baseURL: 'http://127.0.0.1:8787' })
 * const [cat, photo] = (await client.embed(['a cat', { image: './cat.jpg' }])).embeddings
 * console.log(cosineSimilarity(cat, photo))
 */
export class EdgeClip {
  readonly baseURL: string
  private readonly options: ResolvedOptions
  private readonly transport: TransportConfig
  private modelInfo: Promise<ModelInfo | undefined> | undefined
  private readonly cached: CachedEmbedder | undefined

  constructor(options: EdgeClipOptions = {}) {
    this.options = resolveOptions(options)
    this.baseURL = this.options.baseURL
    const headers: Record<string, string> = { ...this.options.defaultHeaders }
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`
    // Browsers would turn an unknown header into a CORS preflight the gateway does not allow.
    if (!isBrowser()) headers['x-edgeclip-sdk'] = `js/${VERSION}`
    this.transport = {
      baseURL: this.options.baseURL,
      fetch: this.options.fetch,
      headers,
      timeout: this.options.timeout,
      maxRetries: this.options.maxRetries,
    }
    this.cached = this.options.cache ? new CachedEmbedder(this.options.cache) : undefined
  }

  /** Texts and images in one call; one row per input, in order. */
  embed(
    inputs: EmbedInput | EmbedInput[],
    options?: EmbedOptions & { encoding?: FloatEncoding },
  ): Promise<EmbedResponse<Float32Array>>
  embed(
    inputs: EmbedInput | EmbedInput[],
    options: EmbedOptions & { encoding: PackedEncoding },
  ): Promise<EmbedResponse<Uint8Array>>
  embed(
    inputs: EmbedInput | EmbedInput[],
    options?: EmbedOptions,
  ): Promise<EmbedResponse<Float32Array | Uint8Array>>
  async embed(
    inputs: EmbedInput | EmbedInput[],
    options: EmbedOptions = {},
  ): Promise<EmbedResponse<Float32Array | Uint8Array>> {
    const items = Array.isArray(inputs) ? inputs : [inputs]
    if (items.length === 0) throw new EdgeClipSDKError('embed needs at least one input')
    if (!this.cached) return this.embedUncached(items, options)
    const wire = await Promise.all(items.map(toWireInput))
    // The served model's revision is part of every key: a redeployed model is not served old rows.
    const info = await this.servedModel(options)
    const model = info?.id ?? options.model ?? ''
    const scope = JSON.stringify([this.baseURL, options.model ?? '', model, info?.revision ?? ''])
    const parts = {
      scope,
      encoding: options.encoding ?? DEFAULT_ENCODING,
      normalized: options.normalized ?? true,
      truncate: options.truncate ?? false,
    }
    return this.cached.embed(wire, parts, model, (misses) => this.embedUncached(misses, options))
  }

  private async embedUncached(
    items: readonly EmbedInput[],
    options: EmbedOptions,
  ): Promise<EmbedResponse<CachedRow>> {
    const encoding = options.encoding ?? DEFAULT_ENCODING
    const batchSize = await this.batchSize(items.length, options)
    const { rows, extras } = await runBatches(
      [...items],
      async (batch, signal, start) => this.embedFitting(batch, encoding, options, signal, start),
      {
        batchSize,
        batchBytes: this.options.maxBatchBytes,
        concurrency: this.options.maxConcurrency,
        prepare: toWireInput,
        sizeOf: wireSize,
        onProgress: options.onProgress,
        signal: options.signal,
      },
    )
    const usage: Usage = { promptTokens: 0, totalTokens: 0 }
    for (const extra of extras) {
      usage.promptTokens += extra.usage.promptTokens
      usage.totalTokens += extra.usage.totalTokens
    }
    return {
      embeddings: rows,
      usage,
      model: extras[0]?.model ?? '',
      requestIDs: extras.flatMap((extra) => (extra.requestID ? [extra.requestID] : [])),
    }
  }

  /** Texts only; a single text gives a single-row response. */
  embedText(
    texts: string | string[],
    options?: EmbedOptions & { encoding?: FloatEncoding },
  ): Promise<EmbedResponse<Float32Array>>
  embedText(
    texts: string | string[],
    options: EmbedOptions & { encoding: PackedEncoding },
  ): Promise<EmbedResponse<Uint8Array>>
  embedText(
    texts: string | string[],
    options: EmbedOptions = {},
  ): Promise<EmbedResponse<Float32Array | Uint8Array>> {
    const list = Array.isArray(texts) ? texts : [texts]
    return this.embed(
      list.map((text) => ({ text })),
      options,
    )
  }

  /** URLs, data URIs, base64, Blob/File, bytes, or a file path on Node, Bun and Deno. */
  embedImage(
    images: ImageSource | ImageSource[],
    options?: EmbedOptions & { encoding?: FloatEncoding },
  ): Promise<EmbedResponse<Float32Array>>
  embedImage(
    images: ImageSource | ImageSource[],
    options: EmbedOptions & { encoding: PackedEncoding },
  ): Promise<EmbedResponse<Uint8Array>>
  embedImage(
    images: ImageSource | ImageSource[],
    options: EmbedOptions = {},
  ): Promise<EmbedResponse<Float32Array | Uint8Array>> {
    const list = Array.isArray(images) ? images : [images]
    return this.embed(
      list.map((image) => ({ image })),
      options,
    )
  }

  /** The served model and its limits (GET /v1/models). */
  async models(options: RequestOverrides = {}): Promise<ModelInfo> {
    const { data } = await requestJSON<WireModelList>(this.transport, {
      method: 'GET',
      path: '/v1/models',
      ...options,
    })
    const model = data.data?.[0]
    if (!model?.id) throw new EdgeClipSDKError('GET /v1/models listed no model')
    return {
      id: model.id,
      revision: model.revision ?? '',
      dimensions: model.dimensions ?? 0,
      maxTokens: model.max_tokens ?? 0,
      maxInputs: model.max_inputs ?? DEFAULT_MAX_BATCH_SIZE,
      modalities: model.modalities ?? [],
    }
  }

  private async batchSize(count: number, options: EmbedOptions): Promise<number> {
    if (this.options.maxBatchSize !== undefined) return this.options.maxBatchSize
    // One input always fits; bigger jobs ask the server once what one call may carry.
    if (count <= 1) return 1
    const limit = (await this.servedModel(options))?.maxInputs
    return limit !== undefined && limit > 0 ? limit : DEFAULT_MAX_BATCH_SIZE
  }

  /** GET /v1/models once per client (again after a failure or a stale limit). */
  private servedModel(options: EmbedOptions): Promise<ModelInfo | undefined> {
    this.modelInfo ??= this.models(options.signal ? { signal: options.signal } : {}).catch(
      (error: unknown) => {
        // A gateway without the route keeps the documented default; other failures ask again next job.
        if (!(error instanceof NotFoundError)) this.modelInfo = undefined
        return undefined
      },
    )
    return this.modelInfo
  }

  /**
   * One batch, `start` items into the job. When the server says the batch carries too many inputs
   * or bytes (413 naming no item), it is halved until each half fits, so a limit lowered after
   * GET /v1/models was read costs a retry, not the job. A 413 naming an item (an image over the
   * pixel limit) is that item's fault: no split would help, so it is thrown at once. Errors that
   * name an item name it by its index in the job, not in the batch.
   */
  private async embedFitting(
    input: WireInput[],
    encoding: Encoding,
    options: EmbedOptions,
    signal: AbortSignal,
    start: number,
  ): Promise<Awaited<ReturnType<EdgeClip['embedBatch']>>> {
    try {
      return await this.embedBatch(input, encoding, options, signal)
    } catch (error) {
      if (!(error instanceof APIError)) throw error
      const batchTooLarge = error instanceof PayloadTooLargeError && error.itemIndex === undefined
      if (!batchTooLarge || input.length < 2) throw error.shiftItem(start)
      // The limit we had is stale; the next job asks the server again.
      this.modelInfo = undefined
      const middle = Math.ceil(input.length / 2)
      const first = await this.embedFitting(input.slice(0, middle), encoding, options, signal, start)
      const second = await this.embedFitting(input.slice(middle), encoding, options, signal, start + middle)
      return {
        rows: [...first.rows, ...second.rows],
        extra: {
          ...first.extra,
          usage: {
            promptTokens: first.extra.usage.promptTokens + second.extra.usage.promptTokens,
            totalTokens: first.extra.usage.totalTokens + second.extra.usage.totalTokens,
          },
        },
      }
    }
  }

  private async embedBatch(
    input: WireInput[],
    encoding: Encoding,
    options: EmbedOptions,
    signal: AbortSignal,
  ) {
    const body: Record<string, unknown> = { input, encoding_format: encoding }
    if (options.model !== undefined) body.model = options.model
    if (options.normalized !== undefined) body.normalized = options.normalized
    if (options.truncate !== undefined) body.truncate = options.truncate
    const response = await requestJSON<WireEmbeddingsResponse>(this.transport, {
      method: 'POST',
      path: '/v1/embeddings',
      body,
      signal,
      timeout: options.timeout,
      maxRetries: options.maxRetries,
      headers: options.headers,
    })
    return {
      rows: rowsInOrder(response.data, input.length, encoding),
      extra: {
        model: response.data.model,
        usage: {
          promptTokens: response.data.usage?.prompt_tokens ?? 0,
          totalTokens: response.data.usage?.total_tokens ?? 0,
        },
        requestID: response.headers.get('x-request-id') ?? undefined,
      },
    }
  }
}

async function toWireInput(input: EmbedInput): Promise<WireInput> {
  if (typeof input === 'string') return { text: input }
  if ('text' in input && typeof input.text === 'string') return { text: input.text }
  if ('image' in input) return { image: await imageToWire(input.image) }
  throw new EdgeClipSDKError('each input is a string, { text } or { image }')
}

/** Roughly the bytes an item adds to the JSON body (exact for base64 images, the bulk of any big body). */
function wireSize(input: WireInput): number {
  return ('text' in input ? input.text.length : input.image.length) + WIRE_ITEM_OVERHEAD
}

/** Rows by their `index`, so a server that answers out of order still lines up with the inputs. */
function rowsInOrder(
  data: WireEmbeddingsResponse,
  expected: number,
  encoding: Encoding,
): (Float32Array | Uint8Array)[] {
  const rows: (Float32Array | Uint8Array)[] = new Array(expected)
  if (!Array.isArray(data.data) || data.data.length !== expected) {
    throw new EdgeClipSDKError(
      `expected ${expected} embeddings, the server sent ${Array.isArray(data.data) ? data.data.length : 'none'}`,
    )
  }
  for (const item of data.data) {
    if (!Number.isInteger(item.index) || item.index < 0 || item.index >= expected || rows[item.index]) {
      throw new EdgeClipSDKError(`the server sent an embedding with a bad or repeated index ${item.index}`)
    }
    rows[item.index] = decodeEmbedding(item.embedding, encoding)
  }
  return rows
}
