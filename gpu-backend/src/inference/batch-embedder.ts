// Serves one batch request: validates texts, decodes and preprocesses images (each failure stays in
// its item's slot), queues the rest on the tower's batcher and puts every row back at its index.
import {
  type BackendItem,
  type BackendItemResult,
  type BackendResult,
  EdgeclipError,
  type ImageDecoder,
  type ImageTower,
  type ModelSpec,
  preprocessImage,
  type TextTower,
} from '@edgeclip/core'
import { BatchQueue, type BatchStats, type QueuedOutput } from '../batching'
import type { BackendMetrics, TowerName } from '../metrics'
import { clientClosed } from './client-closed'
import { failureFrom, itemFailure } from './item-failure'
import { validateTextIds } from './validate-text'

export interface TowerBatching {
  maxBatchSize: number
  maxWaitMs: number
  /** Padded-token budget per batch (texts only). */
  maxBatchTokens?: number
}

export interface BatchEmbedderOptions {
  spec: ModelSpec
  /** Undefined when the model directory has no such tower: its items fail with 503. */
  textTower: TextTower | undefined
  imageTower: ImageTower | undefined
  decoder: ImageDecoder
  /** Decode + preprocess elsewhere (a worker pool); default: `decoder` and preprocessing in-process. */
  prepareImage?: (bytes: Uint8Array, signal?: AbortSignal) => Promise<Float32Array>
  text: TowerBatching
  image: TowerBatching
  /** Most items waiting per tower before requests are refused with 503. */
  maxQueuedTexts: number
  maxQueuedImages: number
  retryAfterSeconds?: number
  metrics?: BackendMetrics
}

export interface EmbedOptions {
  /** The caller went away: stop before decoding or queueing, and take its waiting items back out. */
  signal?: AbortSignal
}

type Slot = { index: number; promise: Promise<QueuedOutput<Float32Array>>; tower: TowerName }

export class BatchEmbedder {
  readonly spec: ModelSpec
  readonly #options: BatchEmbedderOptions
  readonly #text: BatchQueue<readonly number[], Float32Array> | undefined
  readonly #image: BatchQueue<Float32Array, Float32Array> | undefined
  /**
   * Items admitted but not queued yet (images decoding, and the texts beside them). They count
   * against the queue bound, or a burst of requests would all decode at once, unbounded in memory.
   */
  readonly #admitted: Record<TowerName, number> = { text: 0, image: 0 }
  /** Requests between admission and their answer, so shutdown waits for those still decoding. */
  readonly #inFlight = new Set<Promise<unknown>>()
  #inProcessTail: Promise<void> = Promise.resolve()

  constructor(options: BatchEmbedderOptions) {
    this.spec = options.spec
    this.#options = options
    const retryAfterSeconds = options.retryAfterSeconds ?? 1
    const { textTower, imageTower } = options
    this.#text = textTower
      ? new BatchQueue<readonly number[], Float32Array>({
          maxQueuedItems: options.maxQueuedTexts,
          retryAfterSeconds,
          ...options.text,
          run: (batch) => textTower.embed(batch),
          lengthOf: (ids) => ids.length,
          onBatch: (stats) => this.#recordBatch('text', stats),
        })
      : undefined
    this.#image = imageTower
      ? new BatchQueue<Float32Array, Float32Array>({
          maxQueuedItems: options.maxQueuedImages,
          retryAfterSeconds,
          ...options.image,
          run: (batch) => imageTower.embed(batch),
          onBatch: (stats) => this.#recordBatch('image', stats),
        })
      : undefined
  }

  queueDepth(): Record<TowerName, number> {
    return { text: this.#text?.depth ?? 0, image: this.#image?.depth ?? 0 }
  }

  /**
   * Waits for every request in flight, queued and running batches included; used on shutdown once no
   * new request gets in. Items queued from now on (after their images decode) run without waiting.
   */
  async drain(): Promise<void> {
    const queues = Promise.all([this.#text?.drain(), this.#image?.drain()])
    await Promise.allSettled([...this.#inFlight])
    await queues
  }

  embed(items: readonly BackendItem[], options: EmbedOptions = {}): Promise<BackendResult> {
    const { signal } = options
    if (signal?.aborted) return Promise.reject(clientClosed())
    const texts = items.filter((item) => item.kind === 'text').length
    const images = items.length - texts
    try {
      this.#checkCapacity(texts, images)
      this.#checkRoom(texts, images)
    } catch (error) {
      return Promise.reject(error)
    }
    this.#admitted.text += texts
    this.#admitted.image += images
    let admitted = true
    const release = () => {
      if (!admitted) return
      admitted = false
      this.#admitted.text -= texts
      this.#admitted.image -= images
    }
    const running = this.#embed(items, release, signal).finally(() => {
      release()
      this.#inFlight.delete(running)
    })
    this.#inFlight.add(running)
    return running
  }

  async #embed(
    items: readonly BackendItem[],
    release: () => void,
    signal: AbortSignal | undefined,
  ): Promise<BackendResult> {
    const results: (BackendItemResult | undefined)[] = new Array(items.length)
    const textInputs: { index: number; ids: readonly number[] }[] = []
    const imageInputs: { index: number; bytes: Uint8Array }[] = []
    items.forEach((item, index) => {
      if (item.kind === 'image') {
        if (!this.#image) results[index] = missingTower('image')
        else imageInputs.push({ index, bytes: item.bytes })
        return
      }
      const invalid = this.#text ? validateTextIds(item.ids, this.spec) : missingTower('text')
      if (invalid) results[index] = invalid
      else textInputs.push({ index, ids: item.ids })
    })

    const decodeStart = performance.now()
    const tensors = await Promise.all(imageInputs.map(({ bytes }) => this.#prepareImage(bytes, signal)))
    const decodeMs = performance.now() - decodeStart

    const slots: Slot[] = []
    const readyImages: { index: number; tensor: Float32Array }[] = []
    tensors.forEach((prepared, position) => {
      const { index } = imageInputs[position]!
      if (prepared instanceof Float32Array) readyImages.push({ index, tensor: prepared })
      else results[index] = prepared
    })
    // The tensors of a request nobody waits for are dropped here rather than queued.
    if (signal?.aborted) throw clientClosed()
    // The admission reserved the room; it becomes the queued items' own.
    release()
    this.#checkRoom(textInputs.length, readyImages.length)
    if (this.#text && textInputs.length > 0) {
      const promises = this.#text.enqueue(
        textInputs.map((input) => input.ids),
        signal,
      )
      textInputs.forEach(({ index }, position) => {
        slots.push({ index, promise: promises[position]!, tower: 'text' })
      })
    }
    if (this.#image && readyImages.length > 0) {
      const promises = this.#image.enqueue(
        readyImages.map((input) => input.tensor),
        signal,
      )
      readyImages.forEach(({ index }, position) => {
        slots.push({ index, promise: promises[position]!, tower: 'image' })
      })
    }

    let queueMs = 0
    let inferenceMs = 0
    const settled = await Promise.allSettled(slots.map((slot) => slot.promise))
    if (signal?.aborted) throw clientClosed()
    settled.forEach((outcome, position) => {
      const slot = slots[position]!
      if (outcome.status === 'fulfilled') {
        results[slot.index] = { ok: true, vector: outcome.value.output }
        queueMs = Math.max(queueMs, outcome.value.queueMs)
        inferenceMs = Math.max(inferenceMs, outcome.value.runMs)
      } else {
        results[slot.index] = failureFrom(outcome.reason, 'inference_failed')
      }
    })
    const final = results.map((result) => result ?? itemFailure(500, 'internal_error', 'item lost'))
    this.#recordItems(items, final)
    return {
      items: final,
      timings: {
        ...(imageInputs.length > 0 ? { decode: decodeMs } : {}),
        queue: queueMs,
        inference: inferenceMs,
      },
    }
  }

  /** A request larger than a queue could never run: 413, not a 503 that retrying cannot cure. */
  #checkCapacity(texts: number, images: number): void {
    for (const [count, queue, kind] of [
      [texts, this.#text, 'texts'],
      [images, this.#image, 'images'],
    ] as const) {
      if (queue && count > queue.capacity) {
        throw new EdgeclipError(
          `${count} ${kind} in one request; this backend queues at most ${queue.capacity}`,
          {
            status: 413,
            code: 'too_many_items',
          },
        )
      }
    }
  }

  /** Whether the items fit beside those queued and those admitted by other requests. */
  #checkRoom(texts: number, images: number): void {
    const { text, image } = this.#admitted
    if (texts > 0 && this.#text && !this.#text.hasRoomFor(texts + text)) throw this.#text.overloaded()
    if (images > 0 && this.#image && !this.#image.hasRoomFor(images + image)) throw this.#image.overloaded()
  }

  async #prepareImage(
    bytes: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<Float32Array | BackendItemResult> {
    try {
      if (this.#options.prepareImage) return await this.#options.prepareImage(bytes, signal)
      return await this.#prepareInProcess(bytes, signal)
    } catch (error) {
      return failureFrom(error, 'invalid_image')
    }
  }

  /** One image at a time, as each worker thread does: decoded pixels of large images add up fast. */
  #prepareInProcess(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<Float32Array> {
    const prepared = this.#inProcessTail.then(async () => {
      signal?.throwIfAborted()
      return preprocessImage(await this.#options.decoder.decode(bytes), this.spec.image)
    })
    this.#inProcessTail = prepared.then(
      () => undefined,
      () => undefined,
    )
    return prepared
  }

  #recordBatch(tower: TowerName, stats: BatchStats): void {
    const metrics = this.#options.metrics
    if (!metrics) return
    metrics.batchSize.observe(stats.size, { tower })
    metrics.batchSeconds.observe(stats.runMs / 1000, { tower })
    if (tower === 'text') {
      metrics.paddingTokens.inc({ kind: 'useful' }, stats.usefulLength)
      metrics.paddingTokens.inc({ kind: 'padding' }, stats.paddedLength - stats.usefulLength)
    }
  }

  #recordItems(items: readonly BackendItem[], results: readonly BackendItemResult[]): void {
    const metrics = this.#options.metrics
    if (!metrics) return
    results.forEach((result, index) => {
      const tower = items[index]!.kind
      metrics.items.inc({ tower, outcome: result.ok ? 'ok' : result.code })
    })
  }
}

function missingTower(tower: TowerName): BackendItemResult {
  const error = new EdgeclipError(`this backend has no ${tower} tower loaded`, {
    status: 503,
    code: 'tower_unavailable',
  })
  return itemFailure(error.status, error.code, error.message)
}
