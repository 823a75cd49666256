// The split edge tower as the gateway sees it: token ids go to the first part Worker through the
// EDGE_TOWER service binding; the parts chain through their own bindings and the last answers
// `text_embeds`. The gateway holds no weights and no table (the first part does: docs/edge-tower.md).
import {
  checkTextBatch,
  DEFAULT_MAX_BATCH_SIZE,
  EdgeclipError,
  l2Normalize,
  type ModelSpec,
  readRows,
  type TextTower,
  type TowerRunOptions,
} from '@edgeclip/core'
import { decodeTensorBundle, type EdgeManifest, encodeTensorBundle } from '@edgeclip/edge-model'
import { EDGE_BUILD_HEADER, EDGE_BUILD_MISMATCH, EDGE_PART_HEADER, TENSOR_BUNDLE_TYPE } from './edge-artifact'

/** What the gateway calls: a service binding (`Fetcher`), typed with the DOM's Request/Response. */
export interface ServiceBinding {
  fetch(request: Request): Promise<Response>
}

export interface ServiceBindingTextTowerOptions {
  binding: ServiceBinding
  manifest: EdgeManifest
  spec: ModelSpec
  maxBatchSize?: number
  /** Told when a part holds another build, after the 409 is thrown (not awaited). */
  onBuildMismatch?: () => Promise<void>
}

/** The hop's URL: only its path matters to the part Worker. */
const EMBED_URL = 'https://edge-tower.internal/embed'

/**
 * A part that failed or is down: the pipeline sends its texts to the backend. `part` is the index
 * of the part that answered (when it said), `code` its error code: what /readyz may show anyone.
 * A part that is down (503) carries the outage as `cause`, which the gateway answers when it has
 * no backend to fall back on.
 */
export class EdgePartError extends Error {
  readonly part: number | undefined
  readonly code: string | undefined
  constructor(message: string, options: { cause?: unknown; part?: number; code?: string } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'EdgePartError'
    this.part = options.part
    this.code = options.code
  }
}

/**
 * A part holds another build than the gateway's manifest names (a rebuilt artifact uploaded while
 * isolates hold the old one). An EdgePartError: the pipeline sends the texts to the backend.
 */
export class EdgeBuildMismatchError extends EdgePartError {
  constructor(message: string, options: { part?: number; code?: string } = {}) {
    super(message, options)
    this.name = 'EdgeBuildMismatchError'
  }
}

async function errorFrom(response: Response): Promise<EdgePartError> {
  const text = await response.text()
  let body: { error?: { message?: string; code?: string } } | undefined
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    body = undefined
  }
  const message = body?.error?.message ?? (text.slice(0, 200) || response.statusText)
  const partHeader = response.headers.get(EDGE_PART_HEADER)
  const part = partHeader !== null && /^\d+$/.test(partHeader) ? Number(partHeader) : undefined
  const code = body?.error?.code
  const where = part === undefined ? 'edge part' : `edge part ${part}`
  if (response.status === 409 && code === EDGE_BUILD_MISMATCH) {
    return new EdgeBuildMismatchError(`edge parts of two builds: ${message}`, {
      ...(part === undefined ? {} : { part }),
      code,
    })
  }
  // A part that cannot load its files answers 503 with a code: the same clear outage the
  // in-process tower gives when its model is missing, kept for when there is no backend.
  const outage =
    response.status === 503 && code
      ? new EdgeclipError(`The edge text tower is unavailable: ${message}`, {
          status: 503,
          code,
          retryAfter: retryAfterOf(response) ?? 5,
        })
      : undefined
  return new EdgePartError(`${where} answered ${response.status}: ${message}`, {
    ...(outage ? { cause: outage } : {}),
    ...(part === undefined ? {} : { part }),
    ...(code ? { code } : {}),
  })
}

function retryAfterOf(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? '')
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined
}

export class ServiceBindingTextTower implements TextTower {
  readonly modality = 'text'
  readonly dimensions: number
  readonly maxBatchSize: number
  readonly #binding: ServiceBinding
  readonly #manifest: EdgeManifest
  readonly #spec: ModelSpec
  readonly #onBuildMismatch: (() => Promise<void>) | undefined

  constructor(options: ServiceBindingTextTowerOptions) {
    this.#onBuildMismatch = options.onBuildMismatch
    this.#binding = options.binding
    this.#manifest = options.manifest
    this.#spec = options.spec
    this.dimensions = options.spec.dimensions
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE
  }

  async embed(batch: readonly (readonly number[])[], options: TowerRunOptions = {}): Promise<Float32Array[]> {
    if (batch.length === 0) return []
    checkTextBatch(batch, this.#spec, this.maxBatchSize)
    const sequence = Math.max(...batch.map((ids) => ids.length))
    const ids = new BigInt64Array(batch.length * sequence).fill(BigInt(this.#spec.tokenizer.padId))
    batch.forEach((row, rowIndex) => {
      row.forEach((id, column) => {
        ids[rowIndex * sequence + column] = BigInt(id)
      })
    })
    const body = encodeTensorBundle({
      [this.#manifest.idsInput]: { type: 'int64', data: ids, dims: [batch.length, sequence] },
    })
    let response: Response
    try {
      response = await this.#binding.fetch(
        new Request(EMBED_URL, {
          method: 'POST',
          headers: { 'content-type': TENSOR_BUNDLE_TYPE, [EDGE_BUILD_HEADER]: this.#manifest.buildId },
          body,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      )
    } catch (error) {
      throw new EdgePartError('the EDGE_TOWER service binding failed', { cause: error })
    }
    if (!response.ok) {
      const error = await errorFrom(response)
      if (error instanceof EdgeBuildMismatchError) {
        this.#onBuildMismatch?.().catch((cause: unknown) => console.warn('edge build check failed:', cause))
      }
      throw error
    }
    const rows = this.#readRows(new Uint8Array(await response.arrayBuffer()), batch.length)
    return options.normalize ? rows.map(l2Normalize) : rows
  }

  /**
   * The shortest text ([CLS] [SEP]) through the whole chain: each part Worker loads its weights on
   * its first request, so a readiness probe after a deploy warms them all instead of the first user.
   */
  async ready(options: TowerRunOptions = {}): Promise<void> {
    const { clsId, sepId } = this.#spec.tokenizer
    await this.embed([[clsId, sepId]], options)
  }

  #readRows(bytes: Uint8Array, batchSize: number): Float32Array[] {
    try {
      return readRows(decodeTensorBundle(bytes), this.#manifest.output, batchSize, this.dimensions)
    } catch (error) {
      // An unreadable or misshapen answer is the chain's fault: the pipeline routes around it.
      throw new EdgePartError(`the last edge part answered badly: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }

  // Nothing to free here: the part Workers own their sessions for their isolates' lives.
  async release(): Promise<void> {}
}
