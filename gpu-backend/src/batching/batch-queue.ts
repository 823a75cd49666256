// A dynamic batcher for one tower: items from any number of requests wait in one bounded queue and
// run together. A batch closes when it is full (items or padded-token budget) or when its oldest
// item has waited `maxWaitMs`; one batch runs at a time, so items keep collecting while it does.
import { EdgeclipError } from '@edgeclip/core'
import { selectBatch } from './select-batch'

export interface BatchQueueOptions<Input, Output> {
  /** Runs one batch; must answer one output per input, in order. */
  run: (inputs: Input[]) => Promise<Output[]>
  maxBatchSize: number
  maxWaitMs: number
  /** Most items waiting (not running); more is refused with 503 and `retryAfterSeconds`. */
  maxQueuedItems: number
  /** An item's length (tokens) when padding matters; omitted, every item counts 1. */
  lengthOf?: (input: Input) => number
  /** Most padded length (items x longest) per batch; a longer single item still runs alone. */
  maxBatchTokens?: number
  retryAfterSeconds?: number
  onBatch?: (stats: BatchStats) => void
}

export interface BatchStats {
  size: number
  /** Items x longest item: what the tower computes. */
  paddedLength: number
  /** Sum of item lengths: what was asked for. */
  usefulLength: number
  runMs: number
}

export interface QueuedOutput<Output> {
  output: Output
  queueMs: number
  runMs: number
  batchSize: number
}

interface Pending<Input, Output> {
  input: Input
  length: number
  enqueuedAt: number
  resolve: (value: QueuedOutput<Output>) => void
  reject: (error: unknown) => void
}

export class BatchQueue<Input, Output> {
  readonly #options: Required<Omit<BatchQueueOptions<Input, Output>, 'onBatch' | 'lengthOf'>> &
    Pick<BatchQueueOptions<Input, Output>, 'onBatch' | 'lengthOf'>
  #pending: Pending<Input, Output>[] = []
  #running = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #idleWaiters: (() => void)[] = []
  /** Set by drain() for good: shutdown has begun, so nothing queued from now on waits for company. */
  #draining = false

  constructor(options: BatchQueueOptions<Input, Output>) {
    this.#options = {
      maxBatchTokens: Number.POSITIVE_INFINITY,
      retryAfterSeconds: 1,
      ...options,
    }
  }

  /** Items waiting for a batch (running ones excluded). */
  get depth(): number {
    return this.#pending.length
  }

  get busy(): boolean {
    return this.#running || this.#pending.length > 0
  }

  /** Most items that may wait; a request with more can never be queued. */
  get capacity(): number {
    return this.#options.maxQueuedItems
  }

  /** Whether `count` more items fit; callers check every queue first so a request is all-or-nothing. */
  hasRoomFor(count: number): boolean {
    return this.#pending.length + count <= this.#options.maxQueuedItems
  }

  overloaded(): EdgeclipError {
    return new EdgeclipError('the backend queue is full; retry shortly', {
      status: 503,
      code: 'backend_overloaded',
      retryAfter: this.#options.retryAfterSeconds,
    })
  }

  /**
   * Queues the items (all or none) and answers a promise per item, in the same order. When `signal`
   * aborts, the items still waiting leave the queue and reject with its reason (running ones finish).
   */
  enqueue(inputs: readonly Input[], signal?: AbortSignal): Promise<QueuedOutput<Output>>[] {
    signal?.throwIfAborted()
    if (!this.hasRoomFor(inputs.length)) throw this.overloaded()
    const now = performance.now()
    const entries: Pending<Input, Output>[] = []
    const promises = inputs.map(
      (input) =>
        new Promise<QueuedOutput<Output>>((resolve, reject) => {
          const length = this.#options.lengthOf?.(input) ?? 1
          entries.push({ input, length, enqueuedAt: now, resolve, reject })
        }),
    )
    this.#pending.push(...entries)
    if (signal) {
      const withdraw = () => this.#withdraw(entries, signal.reason)
      signal.addEventListener('abort', withdraw, { once: true })
      void Promise.allSettled(promises).then(() => signal.removeEventListener('abort', withdraw))
    }
    this.#schedule()
    return promises
  }

  /** Resolves once nothing is waiting or running; queued items, and any queued later, skip their wait. */
  drain(): Promise<void> {
    this.#draining = true
    if (!this.busy) return Promise.resolve()
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
      this.#schedule()
    })
  }

  #withdraw(entries: readonly Pending<Input, Output>[], reason: unknown): void {
    const withdrawn = new Set(entries)
    const kept = this.#pending.filter((item) => !withdrawn.has(item))
    if (kept.length === this.#pending.length) return
    const removed = this.#pending.filter((item) => withdrawn.has(item))
    this.#pending = kept
    for (const item of removed) item.reject(reason)
    this.#schedule()
  }

  #schedule(): void {
    if (this.#running || this.#pending.length === 0) {
      if (this.#pending.length === 0) {
        clearTimeout(this.#timer)
        this.#timer = undefined
      }
      if (!this.busy) for (const resolve of this.#idleWaiters.splice(0)) resolve()
      return
    }
    const { maxBatchSize, maxBatchTokens, maxWaitMs } = this.#options
    const selection = selectBatch(this.#pending, maxBatchSize, maxBatchTokens)
    const oldest = this.#pending[0]!
    const waited = performance.now() - oldest.enqueuedAt
    if (selection.full || waited >= maxWaitMs || this.#draining) {
      clearTimeout(this.#timer)
      this.#timer = undefined
      void this.#runBatch(selection.indices)
      return
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      this.#schedule()
    }, maxWaitMs - waited)
  }

  async #runBatch(indices: number[]): Promise<void> {
    this.#running = true
    const chosen = new Set(indices)
    const batch = indices.map((index) => this.#pending[index]!)
    this.#pending = this.#pending.filter((_, index) => !chosen.has(index))
    const startedAt = performance.now()
    try {
      const outputs = await this.#options.run(batch.map((item) => item.input))
      if (outputs.length !== batch.length) {
        throw new Error(`the tower answered ${outputs.length} rows for ${batch.length} items`)
      }
      const runMs = performance.now() - startedAt
      const longest = Math.max(...batch.map((item) => item.length))
      this.#options.onBatch?.({
        size: batch.length,
        paddedLength: longest * batch.length,
        usefulLength: batch.reduce((sum, item) => sum + item.length, 0),
        runMs,
      })
      batch.forEach((item, index) => {
        item.resolve({
          output: outputs[index]!,
          queueMs: startedAt - item.enqueuedAt,
          runMs,
          batchSize: batch.length,
        })
      })
    } catch (error) {
      for (const item of batch) item.reject(error)
    } finally {
      this.#running = false
      this.#schedule()
    }
  }
}
