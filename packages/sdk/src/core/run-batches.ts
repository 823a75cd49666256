// Splits a big job into batches, runs a bounded number at once and reassembles rows in input order.
import type { Progress } from './types'

export interface RunBatchesOptions {
  batchSize: number
  concurrency: number
  onProgress?: ((progress: Progress) => void) | undefined
  /** The caller's signal; a failed batch also aborts the batches still in flight. */
  signal?: AbortSignal | undefined
}

/**
 * Runs `work` over consecutive slices of `items` and concatenates the rows it returns.
 * The first failure wins: no new batch starts, the running ones are aborted, and it is thrown.
 */
export async function runBatches<Item, Row, Extra>(
  items: readonly Item[],
  work: (batch: Item[], signal: AbortSignal) => Promise<{ rows: Row[]; extra: Extra }>,
  options: RunBatchesOptions,
): Promise<{ rows: Row[]; extras: Extra[] }> {
  const batchSize = Math.max(1, Math.floor(options.batchSize))
  const batches: Item[][] = []
  for (let start = 0; start < items.length; start += batchSize)
    batches.push(items.slice(start, start + batchSize))
  const results: { rows: Row[]; extra: Extra }[] = new Array(batches.length)
  const controller = new AbortController()
  const forwardAbort = () => controller.abort(options.signal?.reason)
  // A signal that has already fired sends no event: forward it now.
  if (options.signal?.aborted) forwardAbort()
  else options.signal?.addEventListener('abort', forwardAbort, { once: true })
  let next = 0
  let completed = 0
  let failure: { error: unknown } | undefined

  const lane = async () => {
    while (failure === undefined && next < batches.length) {
      const index = next++
      const batch = batches[index]!
      try {
        results[index] = await work(batch, controller.signal)
      } catch (error) {
        failure ??= { error }
        controller.abort(error)
        return
      }
      completed += batch.length
      options.onProgress?.({ completed, total: items.length })
    }
  }
  try {
    const lanes = Math.max(1, Math.min(Math.floor(options.concurrency), batches.length))
    await Promise.all(Array.from({ length: lanes }, lane))
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort)
  }
  if (failure) throw failure.error
  return { rows: results.flatMap((result) => result.rows), extras: results.map((result) => result.extra) }
}
