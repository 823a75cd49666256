// An int8 token-embedding table with one float scale per row, and the lookup that turns token ids
// into `inputs_embeds`. Runtime-agnostic: the Worker runs the lookup.

export interface Int8EmbeddingTable {
  rows: number
  width: number
  /** Row-major [rows, width]. */
  values: Int8Array
  scales: Float32Array
}

const INT8_MAX = 127

export function quantizeRowsInt8(table: Float32Array, rows: number, width: number): Int8EmbeddingTable {
  const values = new Int8Array(rows * width)
  const scales = new Float32Array(rows)
  for (let row = 0; row < rows; row++) {
    let magnitude = 0
    for (let column = 0; column < width; column++) {
      magnitude = Math.max(magnitude, Math.abs(table[row * width + column]!))
    }
    const scale = magnitude / INT8_MAX || 1
    scales[row] = scale
    for (let column = 0; column < width; column++) {
      values[row * width + column] = Math.round(table[row * width + column]! / scale)
    }
  }
  return { rows, width, values, scales }
}

/** File layout: int8 values, then float32 scales (little-endian), nothing else: the manifest holds the shape. */
export function encodeEmbeddingTable(table: Int8EmbeddingTable): Uint8Array {
  const bytes = new Uint8Array(table.values.length + table.scales.byteLength)
  bytes.set(new Uint8Array(table.values.buffer, table.values.byteOffset, table.values.length))
  bytes.set(
    new Uint8Array(table.scales.buffer, table.scales.byteOffset, table.scales.byteLength),
    table.values.length,
  )
  return bytes
}

/** Views over the file's bytes without copying them (the scales are copied when unaligned). */
export function decodeEmbeddingTable(bytes: Uint8Array, rows: number, width: number): Int8EmbeddingTable {
  const valueBytes = rows * width
  if (bytes.length !== valueBytes + rows * 4) {
    throw new Error(`embedding table holds ${bytes.length} bytes, expected ${valueBytes + rows * 4}`)
  }
  const values = new Int8Array(bytes.buffer, bytes.byteOffset, valueBytes)
  const scaleOffset = bytes.byteOffset + valueBytes
  const scales =
    scaleOffset % 4 === 0
      ? new Float32Array(bytes.buffer, scaleOffset, rows)
      : new Float32Array(bytes.slice(valueBytes).buffer)
  return { rows, width, values, scales }
}

/** Looks up rows for ids laid out [batch, sequence]; an id outside the table is a caller bug. */
export function lookupEmbeddings(table: Int8EmbeddingTable, ids: ArrayLike<number | bigint>): Float32Array {
  const { width, values, scales } = table
  const embeds = new Float32Array(ids.length * width)
  for (let position = 0; position < ids.length; position++) {
    const id = Number(ids[position])
    if (!(id >= 0 && id < table.rows))
      throw new RangeError(`token id ${id} is outside the table (${table.rows} rows)`)
    const scale = scales[id]!
    const source = id * width
    const target = position * width
    for (let column = 0; column < width; column++) embeds[target + column] = values[source + column]! * scale
  }
  return embeds
}
