import { describe, expect, it } from 'vitest'
import {
  decodeBackendRequest,
  decodeBackendResponse,
  EdgeclipError,
  encodeBackendRequest,
  encodeBackendResponse,
} from '../index'

describe('backend protocol', () => {
  it('carries the identity of the towers that computed the rows', () => {
    const identity = { text: { weights: 'e'.repeat(64), numerics: 'fp16/onnxruntime-node-cuda' } }
    const vector = new Float32Array([1, 2])
    const frame = encodeBackendResponse({ items: [{ ok: true, vector }], identity }, 2)
    expect(decodeBackendResponse(frame, 1).identity).toEqual(identity)
    const anonymous = encodeBackendResponse({ items: [{ ok: true, vector }] }, 2)
    expect(decodeBackendResponse(anonymous, 1).identity).toBeUndefined()
  })

  it('round-trips a mixed request, keeping order and image bytes', () => {
    const image = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])
    const frame = encodeBackendRequest({
      model: 'jina-clip-v1',
      items: [
        { kind: 'text', ids: [101, 7592, 102] },
        { kind: 'image', bytes: image },
        { kind: 'image', bytes: new Uint8Array([9]) },
      ],
    })
    const decoded = decodeBackendRequest(frame)
    expect(decoded.model).toBe('jina-clip-v1')
    expect(decoded.items).toEqual([
      { kind: 'text', ids: [101, 7592, 102] },
      { kind: 'image', bytes: image },
      { kind: 'image', bytes: new Uint8Array([9]) },
    ])
  })

  it('carries the revision when the sender names one, and refuses one that is not a string', () => {
    const items = [{ kind: 'text' as const, ids: [101, 102] }]
    expect(decodeBackendRequest(encodeBackendRequest({ model: 'm', revision: 'abc', items })).revision).toBe(
      'abc',
    )
    expect('revision' in decodeBackendRequest(encodeBackendRequest({ model: 'm', items }))).toBe(false)
    const bad = encodeBackendRequest({ model: 'm', revision: 7 as unknown as string, items })
    expect(() => decodeBackendRequest(bad)).toThrow(/revision must be a string/)
  })

  it('round-trips rows and per-item failures', () => {
    const frame = encodeBackendResponse(
      {
        items: [
          { ok: true, vector: new Float32Array([1, -2, 0.5]) },
          { ok: false, status: 422, code: 'invalid_image', message: 'not an image' },
          { ok: true, vector: new Float32Array([3, 4, 5]) },
        ],
        timings: { inference: 1.5 },
      },
      3,
    )
    expect(frame.byteLength % 4).toBe(0)
    const decoded = decodeBackendResponse(frame, 3)
    expect(decoded.dimensions).toBe(3)
    expect(decoded.timings).toEqual({ inference: 1.5 })
    expect(decoded.items[0]).toEqual({ ok: true, vector: new Float32Array([1, -2, 0.5]) })
    expect(decoded.items[1]).toEqual({
      ok: false,
      status: 422,
      code: 'invalid_image',
      message: 'not an image',
    })
    expect(decoded.items[2]).toEqual({ ok: true, vector: new Float32Array([3, 4, 5]) })
  })

  it('rejects a response with the wrong number of items or rows', () => {
    const frame = encodeBackendResponse({ items: [{ ok: true, vector: new Float32Array([1, 2]) }] }, 2)
    expect(() => decodeBackendResponse(frame, 2)).toThrow(/answered 1 items for 2/)
    expect(() => decodeBackendResponse(frame.subarray(0, frame.length - 4), 1)).toThrow(EdgeclipError)
  })

  it('rejects garbage', () => {
    expect(() => decodeBackendRequest(new TextEncoder().encode('hello world'))).toThrow(/magic/)
    expect(() => decodeBackendResponse(new Uint8Array([0x45, 0x43, 0x42, 0x31, 255, 0, 0, 0]), 0)).toThrow(
      /header/,
    )
  })
})
