// Bounds work on one in-process tower: a few batches run, a bounded number wait, the rest are
// refused at once (the caller then uses the backend or answers 503) instead of piling up memory.

export class EdgeQueueFullError extends Error {
  constructor() {
    super('edge tower queue is full')
    this.name = 'EdgeQueueFullError'
  }
}

export class EdgeQueue {
  readonly maxRunning: number
  readonly maxWaiting: number
  #running = 0
  #waiting: (() => void)[] = []

  constructor(options: { maxRunning: number; maxWaiting: number }) {
    this.maxRunning = Math.max(1, options.maxRunning)
    this.maxWaiting = Math.max(0, options.maxWaiting)
  }

  get running(): number {
    return this.#running
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /** Runs `task` when a slot is free; throws EdgeQueueFullError without waiting when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxRunning) {
      if (this.#waiting.length >= this.maxWaiting) throw new EdgeQueueFullError()
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    } else {
      this.#running++
    }
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      // The slot passes straight to the next waiter, so `running` never dips and overshoots.
      if (next) next()
      else this.#running--
    }
  }
}

const queues = new WeakMap<object, EdgeQueue>()

/** One queue per tower loader, so every request sharing a tower shares its bound. */
export function edgeQueueFor(owner: object, options: { maxRunning: number; maxWaiting: number }): EdgeQueue {
  let queue = queues.get(owner)
  if (!queue) {
    queue = new EdgeQueue(options)
    queues.set(owner, queue)
  }
  return queue
}
