// Small, dependency-free measuring helpers shared by the CPU and GPU benchmarks.
import { fixtureModelSpec } from '@edgeclip/core'

/** Median of `repeats` timed runs of `work`, in milliseconds, after one untimed warm-up run. */
export async function medianMs(repeats: number, work: () => Promise<unknown>): Promise<number> {
  await work()
  const times: number[] = []
  for (let run = 0; run < repeats; run++) {
    const started = performance.now()
    await work()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

/** Rate per second, with three decimals below 1/s (a full-size tower on a small CPU gets there). */
export function perSecond(count: number, ms: number): number {
  const rate = (count * 1000) / ms
  return round(rate, rate < 1 ? 3 : 1)
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/** Seeded PRNG (mulberry32), so workloads are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

/** Token ids of `length` tokens ([CLS] ... [SEP]) drawn below `vocabRows`. */
export function syntheticIds(length: number, vocabRows: number, random: () => number): number[] {
  const { clsId, sepId } = fixtureModelSpec.tokenizer
  const first = sepId + 1
  const body = Array.from({ length: Math.max(0, length - 2) }, () =>
    Math.floor(first + random() * (vocabRows - first)),
  )
  return [clsId, ...body, sepId]
}

/** A mixed workload of text lengths, log-uniform between `shortest` and `longest`. */
export function mixedLengths(count: number, shortest: number, longest: number, seed: number): number[] {
  const random = seededRandom(seed)
  const span = Math.log(longest / shortest)
  return Array.from({ length: count }, () => Math.round(shortest * Math.exp(random() * span)))
}

/** Padded vs useful tokens when `lengths` are cut into FIFO batches of `batchSize` (no grouping). */
export function fifoPadding(
  lengths: readonly number[],
  batchSize: number,
): { padded: number; useful: number } {
  let padded = 0
  let useful = 0
  for (let start = 0; start < lengths.length; start += batchSize) {
    const batch = lengths.slice(start, start + batchSize)
    padded += Math.max(...batch) * batch.length
    useful += batch.reduce((sum, length) => sum + length, 0)
  }
  return { padded, useful }
}
