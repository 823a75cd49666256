// The shape of jina-clip-v1's text tower (JinaBERT v2, BERT-base size): speed and memory depend on
// these numbers, not on weight values.
import { jinaClipV1 } from '@edgeclip/core'

export interface JinaBertShape {
  layers: number
  width: number
  heads: number
  /** Width of each GLU branch (gate and up); the down projection maps it back to `width`. */
  intermediate: number
  /** Rows in the token-embedding table. */
  vocabRows: number
}

export const jinaBertShape: JinaBertShape = {
  layers: 12,
  width: jinaClipV1.dimensions,
  heads: 12,
  intermediate: 3072,
  vocabRows: jinaClipV1.tokenizer.embeddingRows,
}

/** ALiBi slopes for `heads` heads (Press et al.), as JinaBERT computes them for non-powers of two. */
export function alibiSlopes(heads: number): number[] {
  const powerOfTwo = (count: number) => {
    const start = 2 ** -(2 ** -(Math.log2(count) - 3))
    return Array.from({ length: count }, (_, index) => start * start ** index)
  }
  if (Number.isInteger(Math.log2(heads))) return powerOfTwo(heads)
  const closest = 2 ** Math.floor(Math.log2(heads))
  return [
    ...powerOfTwo(closest),
    ...alibiSlopes(2 * closest)
      .filter((_, index) => index % 2 === 0)
      .slice(0, heads - closest),
  ]
}
