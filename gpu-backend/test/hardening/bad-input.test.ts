// Issue 7, item 1, at the backend: hostile frames and images sent straight to the batch endpoint
// (the gateway normally filters them, but the backend must not trust it). Each is refused with a
// 4xx, per item where the frame itself is sound; the service keeps answering good batches.
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  type BackendItem,
  encodeBackendRequest,
  fixtureModelSpec,
} from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningBackend } from '../../src'
import { noiseImage, postBatch, SECRET, startFixtureBackend, textIds } from '../backend-test-support'
import { hugeHeaderPng, pngBomb, svgBytes, truncatedJpeg } from './bad-images'

const MAX_REQUEST_BYTES = 4 * 1024 * 1024
let backend: RunningBackend

beforeAll(async () => {
  backend = await startFixtureBackend({ MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) })
})
afterAll(() => backend?.close())

function postRaw(body: Uint8Array | string) {
  return fetch(`${backend.url}${BACKEND_BATCH_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': BACKEND_REQUEST_TYPE },
    body: body as Uint8Array<ArrayBuffer>,
  })
}

const frame = (items: BackendItem[]) => encodeBackendRequest({ model: fixtureModelSpec.id, items })

describe('bad frames', () => {
  it('an empty, a truncated and a garbage frame are 400s', async () => {
    const whole = frame([{ kind: 'text', ids: textIds(1, 6) }])
    for (const body of [new Uint8Array(), whole.subarray(0, Math.floor(whole.length / 2)), 'not a frame']) {
      const response = await postRaw(body)
      expect(response.status).toBe(400)
      const error = (await response.json()) as { error: { code: string; message: string } }
      expect(error.error.message.length).toBeGreaterThan(0)
    }
  })

  it('a frame over MAX_REQUEST_BYTES is a 413', async () => {
    const big = frame([{ kind: 'image', bytes: new Uint8Array(MAX_REQUEST_BYTES + 1024) }])
    expect((await postRaw(big)).status).toBe(413)
  })
})

describe('bad items', () => {
  it('fail in their own slots with a 4xx, and the good items beside them are served', async () => {
    const { vocabSize } = fixtureModelSpec.tokenizer
    const items: BackendItem[] = [
      { kind: 'text', ids: textIds(2, 8) },
      { kind: 'image', bytes: pngBomb() },
      { kind: 'image', bytes: hugeHeaderPng(20_000, 20_000) },
      { kind: 'image', bytes: truncatedJpeg() },
      { kind: 'image', bytes: svgBytes() },
      { kind: 'image', bytes: new TextEncoder().encode('plain text, no image') },
      { kind: 'image', bytes: new Uint8Array() },
      {
        kind: 'text',
        ids: [fixtureModelSpec.tokenizer.clsId, vocabSize + 50, fixtureModelSpec.tokenizer.sepId],
      },
      { kind: 'image', bytes: await noiseImage(3, 1, 1) },
    ]
    const response = await postBatch(backend.url, items)
    expect(response.status, JSON.stringify(response.error)).toBe(200)
    const outcomes = response.result!.items
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ])
    for (const outcome of outcomes) {
      if (outcome.ok) continue
      expect(outcome.status).toBeGreaterThanOrEqual(400)
      expect(outcome.status).toBeLessThan(500)
      expect(outcome.message.length).toBeGreaterThan(0)
    }
  })

  it('keeps serving good batches afterwards', async () => {
    const response = await postBatch(backend.url, [{ kind: 'text', ids: textIds(4, 5) }])
    expect(response.status).toBe(200)
    expect(response.result!.items[0]!.ok).toBe(true)
    expect((await fetch(`${backend.url}/healthz`)).status).toBe(200)
  })
})
