// The shape of jina-clip-v1's vision tower (EVA02 ViT-B/16, as in its config's vision_cfg): speed
// and memory depend on these numbers, not on weight values.
import { jinaClipV1 } from '@edgeclip/core'

export interface Eva02Shape {
  /** Input side in pixels (the preprocessed square). */
  imageSize: number
  patchSize: number
  layers: number
  width: number
  heads: number
  /** Width of each SwiGLU branch: 768 × 4 × 2/3, as EVA02 keeps the MLP's parameter count. */
  mlpWidth: number
  /** Output size: the projection head maps the class token to the shared embedding space. */
  embedding: number
  /** RoPE's reference grid: EVA02 was pretrained at 224² / 16 = 16 per side, frequencies scale to it. */
  ropeReferenceGrid: number
}

export const eva02Shape: Eva02Shape = {
  imageSize: jinaClipV1.image.size,
  patchSize: 16,
  layers: 12,
  width: 768,
  heads: 12,
  mlpWidth: 2048,
  embedding: jinaClipV1.dimensions,
  ropeReferenceGrid: 16,
}

/**
 * EVA02's 2-D rotary tables (VisionRotaryEmbeddingFast) for a grid of `grid`² patches, one row per
 * token with the class token first (cos 1, sin 0: it is not rotated). Half of each head's
 * dimensions turn with the patch's row, half with its column; each frequency covers a pair.
 */
export function eva02Rope(shape: Eva02Shape): { cos: Float32Array; sin: Float32Array; headWidth: number } {
  const headWidth = shape.width / shape.heads
  const grid = shape.imageSize / shape.patchSize
  const half = headWidth / 2
  const frequencies = Array.from({ length: half / 2 }, (_, index) => 1 / 10_000 ** ((2 * index) / half))
  const angleAt = (position: number) =>
    frequencies.flatMap((frequency) => {
      const angle = (position / grid) * shape.ropeReferenceGrid * frequency
      return [angle, angle]
    })
  const tokens = grid * grid + 1
  const cos = new Float32Array(tokens * headWidth)
  const sin = new Float32Array(tokens * headWidth)
  cos.fill(1, 0, headWidth)
  for (let row = 0; row < grid; row++) {
    for (let column = 0; column < grid; column++) {
      const angles = [...angleAt(row), ...angleAt(column)]
      const offset = (1 + row * grid + column) * headWidth
      angles.forEach((angle, index) => {
        cos[offset + index] = Math.cos(angle)
        sin[offset + index] = Math.sin(angle)
      })
    }
  }
  return { cos, sin, headWidth }
}

/** rotate_half over interleaved pairs as a matrix: (x0, x1, …) @ R = (−x1, x0, −x3, x2, …). */
export function rotateHalfMatrix(headWidth: number): Float32Array {
  const matrix = new Float32Array(headWidth * headWidth)
  for (let pair = 0; pair < headWidth; pair += 2) {
    matrix[(pair + 1) * headWidth + pair] = -1
    matrix[pair * headWidth + pair + 1] = 1
  }
  return matrix
}
