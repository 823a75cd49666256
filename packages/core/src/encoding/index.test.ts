import { describe, expect, it } from 'vitest'
import { base64ToBytes, bytesToBase64, decodeEmbedding, encodeEmbedding, packSignBits } from '../index'

describe('embedding encodings', () => {
  const vector = new Float32Array([0.5, -1.25, 3, -0, 1e-8, -7, 2, 0.25, -0.1])

  it('float is the plain numbers', () => {
    expect(encodeEmbedding(vector, 'float')).toEqual(Array.from(vector))
  })

  it('base64 is float32 little-endian and round-trips exactly', () => {
    const encoded = encodeEmbedding(new Float32Array([1, -2]), 'base64')
    // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0
    expect(encoded).toBe(bytesToBase64(new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])))
    expect(encoded).toBe('AACAPwAAAMA=')
    expect(decodeEmbedding(encodeEmbedding(vector, 'base64'), 'base64', vector.length)).toEqual(vector)
  })

  it('base64 matches the platform encoder on every length', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 37 + length) & 0xff)
      const expected = btoa(String.fromCharCode(...bytes))
      expect(bytesToBase64(bytes)).toBe(expected)
      expect(base64ToBytes(expected)).toEqual(bytes)
    }
  })

  it('rejects malformed base64', () => {
    for (const bad of ['a', 'abcde', '!!!!', 'AAA=A', 'AB==', 'ab cd', 'QQ=Q'])
      expect(base64ToBytes(bad)).toBeUndefined()
    expect(base64ToBytes('')).toEqual(new Uint8Array())
    // Unpadded input is accepted: clients often strip the padding.
    expect(base64ToBytes('YWI')).toEqual(new TextEncoder().encode('ab'))
  })

  it('ubinary packs sign bits MSB first, like numpy.packbits(v > 0)', () => {
    // bits: 1 0 1 0 1 0 1 1 | 0 -> 0b10101011 = 171, 0b00000000 = 0
    expect(Array.from(packSignBits(vector))).toEqual([171, 0])
    expect(encodeEmbedding(vector, 'ubinary')).toEqual([171, 0])
    expect(encodeEmbedding(vector, 'binary')).toEqual([43, -128])
  })

  it('binary and ubinary decode to the signs', () => {
    const signs = Array.from(vector, (value) => (value > 0 ? 1 : -1))
    expect(Array.from(decodeEmbedding(encodeEmbedding(vector, 'ubinary'), 'ubinary', vector.length))).toEqual(
      signs,
    )
    expect(Array.from(decodeEmbedding(encodeEmbedding(vector, 'binary'), 'binary', vector.length))).toEqual(
      signs,
    )
  })
})
