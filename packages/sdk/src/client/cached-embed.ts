// The client-side cache: rows the store has are answered without a call; the rest go to the
// server in one job; identical inputs in flight at once (in this call or a concurrent one) are
// asked for once.

import { type CachedRow, type EmbeddingStore, type RowKeyParts, rowKey } from '../core/embedding-store'
import { APIError } from '../core/errors'
import type { EmbedResponse, Usage } from '../core/types'

export type WireInput = { text: string } | { image: string }

/** Embeds the inputs the cache could not answer (wire form), in one job of the client. */
export type EmbedUncached = (inputs: WireInput[]) => Promise<EmbedResponse<CachedRow>>

interface Deferred {
  promise: Promise<CachedRow>
  resolve(row: CachedRow): void
  reject(error: unknown): void
}

function deferred(): Deferred {
  let resolve!: (row: CachedRow) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<CachedRow>((onResolve, onReject) => {
    resolve = onResolve
    reject = onReject
  })
  // Only callers that share it await it; a failure is thrown to the call that owned it.
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

/** An item error names the caller's index, not its place among the misses. */
function atCallerIndex(error: unknown, callerIndexOf: readonly number[]): unknown {
  if (!(error instanceof APIError) || error.itemIndex === undefined) return error
  const callerIndex = callerIndexOf[error.itemIndex]
  return callerIndex === undefined ? error : error.shiftItem(callerIndex - error.itemIndex)
}

export class CachedEmbedder {
  readonly #store: EmbeddingStore
  readonly #inFlight = new Map<string, Deferred>()

  constructor(store: EmbeddingStore) {
    this.#store = store
  }

  async embed(
    inputs: readonly WireInput[],
    parts: RowKeyParts,
    model: string,
    embedUncached: EmbedUncached,
  ): Promise<EmbedResponse<CachedRow>> {
    const keys = await Promise.all(inputs.map((input) => rowKey(parts, input)))
    const rows: (CachedRow | undefined)[] = new Array(inputs.length)
    const shared: Promise<void>[] = []
    const owned = new Map<string, { deferred: Deferred; indexes: number[] }>()
    const uncachable: number[] = []
    for (const [index, key] of keys.entries()) {
      if (key === undefined) {
        uncachable.push(index)
        continue
      }
      const mine = owned.get(key)
      const other = this.#inFlight.get(key)
      if (mine) mine.indexes.push(index)
      else if (other) {
        const waiting = other.promise.then((row) => {
          rows[index] = row
        })
        // Awaited below, unless this call fails first: that must not leave a rejection unhandled.
        waiting.catch(() => undefined)
        shared.push(waiting)
      } else {
        // Claimed before the store is asked, so a concurrent call waits for this one.
        const claim = deferred()
        this.#inFlight.set(key, claim)
        owned.set(key, { deferred: claim, indexes: [index] })
      }
    }
    const usage: Usage = { promptTokens: 0, totalTokens: 0 }
    let requestIDs: string[] = []
    let servedModel = model
    const misses: { key: string | undefined; indexes: number[] }[] = uncachable.map((index) => ({
      key: undefined,
      indexes: [index],
    }))
    try {
      const found = await Promise.all([...owned.keys()].map((key) => this.#store.get(key)))
      for (const [position, [key, { deferred: claim, indexes }]] of [...owned].entries()) {
        const row = found[position]
        if (row === undefined) {
          misses.push({ key, indexes })
          continue
        }
        for (const index of indexes) rows[index] = row
        claim.resolve(row)
      }
      if (misses.length > 0) {
        const response = await embedUncached(misses.map(({ indexes }) => inputs[indexes[0]!]!)).catch(
          (error: unknown) => {
            throw atCallerIndex(
              error,
              misses.map(({ indexes }) => indexes[0]!),
            )
          },
        )
        usage.promptTokens = response.usage.promptTokens
        usage.totalTokens = response.usage.totalTokens
        requestIDs = response.requestIDs
        servedModel = response.model
        await Promise.all(
          misses.map(async ({ key, indexes }, position) => {
            const row = response.embeddings[position]!
            for (const index of indexes) rows[index] = row
            if (key === undefined) return
            owned.get(key)!.deferred.resolve(row)
            await this.#store.set(key, row.slice())
          }),
        )
      }
    } catch (error) {
      for (const { deferred: claim } of owned.values()) claim.reject(error)
      throw error
    } finally {
      for (const key of owned.keys()) this.#inFlight.delete(key)
    }
    await Promise.all(shared)
    // Copies: a caller normalizing a row in place must not change what the store holds.
    return { embeddings: rows.map((row) => row!.slice()), usage, model: servedModel, requestIDs }
  }
}
