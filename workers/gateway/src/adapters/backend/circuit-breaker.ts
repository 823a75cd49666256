// Stops calling a backend that keeps failing: after `failureThreshold` consecutive failures the
// circuit opens and calls fail at once with 503 + retry-after for `coolDownMs`; then one trial call
// is let through (half-open), and its outcome closes or re-opens the circuit.
import { EdgeclipError } from '@edgeclip/core'

export interface CircuitBreakerOptions {
  failureThreshold?: number
  coolDownMs?: number
  now?: () => number
}

export type CircuitState = 'closed' | 'open' | 'half-open'

export class CircuitBreaker {
  readonly failureThreshold: number
  readonly coolDownMs: number
  #now: () => number
  #consecutiveFailures = 0
  #openUntil = 0
  #trialInFlight = false

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5
    this.coolDownMs = options.coolDownMs ?? 30_000
    this.#now = options.now ?? Date.now
  }

  get state(): CircuitState {
    if (this.#consecutiveFailures < this.failureThreshold) return 'closed'
    return this.#now() < this.#openUntil ? 'open' : 'half-open'
  }

  /**
   * Runs `call` unless the circuit is open. `countsAsFailure` decides which errors are the
   * backend's fault (a caller's abort or an explicit overload answer are not).
   */
  async run<T>(
    call: () => Promise<T>,
    countsAsFailure: (error: unknown) => boolean = () => true,
  ): Promise<T> {
    const state = this.state
    if (state === 'open' || (state === 'half-open' && this.#trialInFlight)) throw this.#unavailable()
    const isTrial = state === 'half-open'
    if (isTrial) this.#trialInFlight = true
    try {
      const result = await call()
      this.#consecutiveFailures = 0
      return result
    } catch (error) {
      if (countsAsFailure(error)) this.#recordFailure()
      else if (isTrial) this.#consecutiveFailures = 0
      throw error
    } finally {
      if (isTrial) this.#trialInFlight = false
    }
  }

  #recordFailure(): void {
    this.#consecutiveFailures++
    if (this.#consecutiveFailures >= this.failureThreshold) this.#openUntil = this.#now() + this.coolDownMs
  }

  #unavailable(): EdgeclipError {
    const waitMs = Math.max(this.#openUntil - this.#now(), 0)
    return new EdgeclipError('the GPU backend is failing; its circuit breaker is open', {
      status: 503,
      code: 'backend_unavailable',
      retryAfter: Math.max(1, Math.ceil(waitMs / 1000)),
    })
  }
}
