// A backend that scales to zero (Modal: min_containers=0) answers its first request only after a
// container boots — tens of seconds, more than a client should hang for a 504. This wrapper keeps
// a belief about warmth: after any answer the backend counts as warm for `warmForMs` (less than
// Modal's 300 s scaledown window); otherwise a request first wakes it (one shared probe with the
// whole cold-start budget) and waits `coldWaitMs` for it. A warm backend passes straight through;
// a cold one gives 503 `backend_cold_start` with retry-after ≈ the boot time still expected, while
// the probe keeps the container booting so the client's retry finds it warm.
import type { Backend, BackendCallOptions, BackendIdentity, BackendItem, BackendResult } from '@edgeclip/core'
import { EdgeclipError } from '@edgeclip/core'
import { backendErrors } from './backend-errors'

/** A backend that can be woken: resolves true once it can serve a batch at once. */
export interface WakeableBackend extends Backend {
  wake(signal: AbortSignal): Promise<boolean>
}

/**
 * Figures for the Modal descriptor (gpu-backend/modal/app.py), ESTIMATES, not measurements: image
 * pull (cached per host after the first, ~10–30 s for the CUDA image when not), Node start (~1 s),
 * both fp16 towers (~450 MB) read from the Volume (~2–5 s), CUDA sessions created and warmed
 * (~5–15 s). Typical cold start ≈ 20–50 s; the descriptor allows 600 s before giving up.
 */
export interface ColdStartFigures {
  coldWaitMs: number
  expectedColdStartMs: number
  coldStartBudgetMs: number
  warmForMs: number
}

export const COLD_START_DEFAULTS: Readonly<ColdStartFigures> = {
  /** What a request waits for a cold backend before answering 503: a warm /readyz takes ms. */
  coldWaitMs: 2_000,
  /** Expected boot time, for retry-after. */
  expectedColdStartMs: 45_000,
  /** The probe's budget: Modal web endpoints give up on a request after 150 s. */
  coldStartBudgetMs: 150_000,
  /** Warm belief after an answer: under Modal's default scaledown window of 300 s. */
  warmForMs: 240_000,
}

export type ColdStartOptions = Partial<ColdStartFigures> & { now?: () => number }

export class ColdStartBackend implements Backend {
  readonly name: string
  readonly inner: WakeableBackend
  #options: ColdStartFigures
  #now: () => number
  #warmUntil = 0
  #waking: { startedAt: number; ready: Promise<boolean> } | undefined

  constructor(inner: WakeableBackend, options: ColdStartOptions = {}) {
    this.inner = inner
    this.name = inner.name
    const { now, ...figures } = options
    this.#options = { ...COLD_START_DEFAULTS, ...figures }
    this.#now = now ?? Date.now
  }

  /** True while the backend answered within the last `warmForMs`. */
  get warm(): boolean {
    return this.#now() < this.#warmUntil
  }

  async embedBatch(
    model: string,
    items: readonly BackendItem[],
    options: BackendCallOptions = {},
  ): Promise<BackendResult> {
    if (!this.warm) await this.#awaitWarm(options.signal)
    try {
      const result = await this.inner.embedBatch(model, items, options)
      this.#markWarm()
      return result
    } catch (error) {
      // Unreachable again (scaled down earlier than we assumed, or gone): probe before the next call.
      if (error instanceof EdgeclipError && error.code === 'backend_unavailable') this.#warmUntil = 0
      throw error
    }
  }

  ready(options?: BackendCallOptions): Promise<boolean> {
    return this.inner.ready(options)
  }

  /** The inner backend's towers: cache lookups must name them whether or not it is warm. */
  identity(options?: BackendCallOptions): Promise<BackendIdentity | undefined> {
    return this.inner.identity?.(options) ?? Promise.resolve(undefined)
  }

  async #awaitWarm(signal: AbortSignal | undefined): Promise<void> {
    const waking = this.#wake()
    let timer: ReturnType<typeof setTimeout> | undefined
    const waited = new Promise<'waiting'>((resolve) => {
      timer = setTimeout(() => resolve('waiting'), this.#options.coldWaitMs)
    })
    const aborted = new Promise<never>((_, reject) => {
      if (signal?.aborted) reject(signal.reason)
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    try {
      const outcome = await Promise.race([waking.ready, waited, aborted])
      if (outcome === true) return
      if (outcome === false) throw backendErrors.unreachable(new Error('the backend is not ready'))
      const remainingMs = this.#options.expectedColdStartMs - (this.#now() - waking.startedAt)
      throw backendErrors.coldStart(Math.max(1, Math.ceil(remainingMs / 1000)))
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * One probe at a time, not tied to any request: a client leaving must not stop the boot. A probe
   * older than its budget is replaced: on Workers a probe's fetch may die with the request that
   * started it (no waitUntil here) without settling, and must not leave the backend "cold" forever.
   */
  #wake(): { startedAt: number; ready: Promise<boolean> } {
    const stale = this.#waking && this.#now() - this.#waking.startedAt > this.#options.coldStartBudgetMs
    if (this.#waking && !stale) return this.#waking
    const waking = {
      startedAt: this.#now(),
      ready: this.inner.wake(AbortSignal.timeout(this.#options.coldStartBudgetMs)).then(
        (ready) => ready,
        () => false,
      ),
    }
    this.#waking = waking
    void waking.ready.then((ready) => {
      if (ready) this.#markWarm()
      if (this.#waking === waking) this.#waking = undefined
    })
    return waking
  }

  #markWarm(): void {
    this.#warmUntil = this.#now() + this.#options.warmForMs
  }
}
