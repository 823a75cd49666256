// Packs token-id sequences into one int64 `[batch, length]` tensor, right-padded with `padId`.

export interface PaddedBatch {
  data: BigInt64Array
  batch: number
  /** The longest sequence's length. */
  length: number
}

export function padBatch(sequences: readonly (readonly number[])[], padId: number): PaddedBatch {
  let length = 0
  for (const sequence of sequences) length = Math.max(length, sequence.length)
  const data = new BigInt64Array(sequences.length * length)
  if (padId !== 0) data.fill(BigInt(padId))
  sequences.forEach((sequence, row) => {
    const offset = row * length
    for (let column = 0; column < sequence.length; column++) {
      data[offset + column] = BigInt(sequence[column] as number)
    }
  })
  return { data, batch: sequences.length, length }
}
