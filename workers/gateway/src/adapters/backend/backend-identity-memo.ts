// What a backend said about its towers, kept per process (per isolate on Workers): learned from every
// answer, asked once before the first when a lookup needs it. A failed ask is retried by a later one.
import type { BackendIdentity } from '@edgeclip/core'

export class BackendIdentityMemo {
  #known: BackendIdentity | undefined
  #asking: Promise<BackendIdentity | undefined> | undefined

  /** The last identity an answer carried; a redeployed backend's answers replace it. */
  learn(identity: BackendIdentity | undefined): void {
    if (identity) this.#known = identity
  }

  async get(ask: () => Promise<BackendIdentity | undefined>): Promise<BackendIdentity | undefined> {
    if (this.#known) return this.#known
    this.#asking ??= ask().finally(() => {
      this.#asking = undefined
    })
    const asked = await this.#asking
    // An answer that arrived meanwhile is newer than the probe's.
    this.#known ??= asked
    return this.#known
  }
}
