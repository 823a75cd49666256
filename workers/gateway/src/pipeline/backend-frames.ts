// Splits one request's backend items into frames the backend accepts. Its body limit (64 MiB by
// default) is twice the gateway's (32 MiB), and a request's images are capped at the gateway's, but
// token ids travel as JSON text: 2048 texts of 8192 one-character tokens make ~80 MB of frame.
import type { BackendItem } from '@edgeclip/core'

/** Framing per item beyond its ids or bytes: `{"kind":"text","ids":[]},` and the like. */
const ITEM_OVERHEAD_BYTES = 32

/** An upper bound on what `item` adds to a request frame (core's backend-protocol). */
export function frameBytes(item: BackendItem): number {
  if (item.kind === 'image') return item.bytes.length + ITEM_OVERHEAD_BYTES
  let digits = 0
  for (const id of item.ids) digits += String(id).length + 1
  return digits + ITEM_OVERHEAD_BYTES
}

/**
 * Consecutive runs of `items` of at most `maxBytes` each (an item larger than that alone), as
 * start/end positions, so the rows that come back can be laid end to end in item order.
 */
export function splitFrames(
  items: readonly BackendItem[],
  maxBytes: number,
): { start: number; end: number }[] {
  const frames: { start: number; end: number }[] = []
  let start = 0
  let bytes = 0
  for (const [index, item] of items.entries()) {
    const size = frameBytes(item)
    if (index > start && bytes + size > maxBytes) {
      frames.push({ start, end: index })
      start = index
      bytes = 0
    }
    bytes += size
  }
  if (items.length > start) frames.push({ start, end: items.length })
  return frames
}
