// Packs a big job into batches (by count and by body bytes), runs a bounded number at once and
// reassembles rows in input order. Items are prepared (files read, bytes encoded) only as their
// batch is packed, so a folder of photos never sits in memory whole.
import type { Progress } from './types'

export interface RunBatchesOptions<Item, Prepared> {
  /** Most items per batch (the server's per-call maximum). */
  batchSize: number
  /** Body bytes a batch may reach before the next item starts a new one; a lone bigger item goes alone. */
  batchBytes: number
  concurrency: number
  prepare: (item: Item) => Promise<Prepared>
  sizeOf: (prepared: Prepared) => number
  onProgress?: ((progress: Progress) => void) | undefined
  /** The caller's signal; a failed batch also aborts the batches still in flight. */
  signal?: AbortSignal | undefined
}

/**
 * Runs `work` over consecutive batches of `items` and concatenates the rows it returns.
 * The first failure wins: no new batch starts, the running ones are aborted, and it is thrown.
 */
export async function runBatches<Item, Prepared, Row, Extra>(
  items: readonly Item[],
  /** `start` is the index of the batch's first item in `items`. */
  work: (batch: Prepared[], signal: AbortSignal, start: number) => Promise<{ rows: Row[]; extra: Extra }>,
  options: RunBatchesOptions<Item, Prepared>,
): Promise<{ rows: Row[]; extras: Extra[] }> {
  const batchSize = Math.max(1, Math.floor(options.batchSize))
  const results: { start: number; rows: Row[]; extra: Extra }[] = []
  const controller = new AbortController()
  const forwardAbort = () => controller.abort(options.signal?.reason)
  // A signal that has already fired sends no event: forward it now.
  if (options.signal?.aborted) forwardAbort()
  else options.signal?.addEventListener('abort', forwardAbort, { once: true })
  let cursor = 0
  let completed = 0
  let failure: { error: unknown } | undefined
  // Packing reads items in order, so lanes take turns at it.
  let packing: Promise<unknown> = Promise.resolve()
  let carried: Prepared | undefined

  const pack = async (): Promise<{ start: number; batch: Prepared[] } | undefined> => {
    const start = cursor - (carried === undefined ? 0 : 1)
    const batch: Prepared[] = []
    let bytes = 0
    if (carried !== undefined) {
      batch.push(carried)
      bytes = options.sizeOf(carried)
      carried = undefined
    }
    while (batch.length < batchSize && cursor < items.length && failure === undefined) {
      const prepared = await options.prepare(items[cursor++]!)
      const size = options.sizeOf(prepared)
      if (batch.length > 0 && bytes + size > options.batchBytes) {
        carried = prepared
        break
      }
      batch.push(prepared)
      bytes += size
    }
    return batch.length > 0 ? { start, batch } : undefined
  }
  const takeTurn = () => {
    const turn = packing.then(pack)
    packing = turn.catch(() => undefined)
    return turn
  }

  const lane = async () => {
    while (failure === undefined) {
      try {
        const next = await takeTurn()
        if (!next || failure !== undefined) return
        const result = await work(next.batch, controller.signal, next.start)
        results.push({ start: next.start, ...result })
        completed += next.batch.length
        options.onProgress?.({ completed, total: items.length })
      } catch (error) {
        failure ??= { error }
        controller.abort(error)
        return
      }
    }
  }
  try {
    const lanes = Math.max(1, Math.min(Math.floor(options.concurrency), items.length))
    await Promise.all(Array.from({ length: lanes }, lane))
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort)
  }
  if (failure) throw failure.error
  results.sort((left, right) => left.start - right.start)
  return { rows: results.flatMap((result) => result.rows), extras: results.map((result) => result.extra) }
}
