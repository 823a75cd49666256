// Identical items in one request (same cache key) are computed once and fanned back out.

export interface Deduped {
  /** Distinct keys in order of first appearance. */
  uniqueKeys: string[]
  /** For every item, the index of its key in `uniqueKeys`. */
  slotOfItem: number[]
  /** For every distinct key, the first item that has it (for error messages). */
  firstItemOfSlot: number[]
}

export function dedupeKeys(keys: readonly string[]): Deduped {
  const slotByKey = new Map<string, number>()
  const uniqueKeys: string[] = []
  const firstItemOfSlot: number[] = []
  const slotOfItem = keys.map((key, itemIndex) => {
    let slot = slotByKey.get(key)
    if (slot === undefined) {
      slot = uniqueKeys.length
      slotByKey.set(key, slot)
      uniqueKeys.push(key)
      firstItemOfSlot.push(itemIndex)
    }
    return slot
  })
  return { uniqueKeys, slotOfItem, firstItemOfSlot }
}
