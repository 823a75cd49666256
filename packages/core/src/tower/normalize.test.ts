import { describe, expect, it } from 'vitest'
import { l2Normalize } from './normalize'

describe('l2Normalize', () => {
  it('scales a vector to unit length without changing the input', () => {
    const input = new Float32Array([3, 4])
    const normalized = l2Normalize(input)
    expect(Array.from(normalized)).toEqual([Math.fround(0.6), Math.fround(0.8)])
    expect(Array.from(input)).toEqual([3, 4])
  })

  it('keeps a zero vector zero instead of producing NaN', () => {
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0])
  })

  it('gives unit norm on a long vector', () => {
    const input = Float32Array.from({ length: 768 }, (_, index) => Math.sin(index) * 5)
    const normalized = l2Normalize(input)
    const norm = Math.sqrt(normalized.reduce((sum, value) => sum + value * value, 0))
    expect(norm).toBeCloseTo(1, 5)
  })
})
