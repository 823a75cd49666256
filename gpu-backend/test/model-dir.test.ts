// Loading from a model directory (the layout `pnpm edgeclip model fetch` and `model fixture` write),
// here the fixture's: vectors equal the in-memory fixture's, and a directory without a vision tower
// still serves texts while each image item fails alone with 503.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureModelSpec } from '@edgeclip/core'
import { writeFixtureModelDir } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectClose,
  noiseImage,
  postBatch,
  referenceVectors,
  startFixtureBackend,
  textIds,
} from './backend-test-support'

describe('backend on a model directory', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgeclip-backend-dir-'))
    await writeFixtureModelDir(dir)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  // Images on the main thread here (IMAGE_THREADS=0); the other suites use the worker pool.
  it('serves the towers it finds there', async () => {
    const backend = await startFixtureBackend({ EDGECLIP_MODEL_DIR: dir, IMAGE_THREADS: '0' })
    try {
      const items = [
        { kind: 'text' as const, ids: textIds(1, 7) },
        { kind: 'image' as const, bytes: await noiseImage(1) },
      ]
      const response = await postBatch(backend.url, items)
      const expected = await referenceVectors(items)
      response.result!.items.forEach((item, index) => {
        if (!item.ok) throw new Error(item.message)
        expectClose(item.vector, expected[index]!)
      })
    } finally {
      await backend.close()
    }
  })

  it('without a vision tower, answers texts and fails each image item with 503', async () => {
    const textOnly = await mkdtemp(join(tmpdir(), 'edgeclip-backend-text-only-'))
    await writeFixtureModelDir(textOnly)
    await rm(join(textOnly, fixtureModelSpec.onnx.imageFiles.fp32!.path))
    const backend = await startFixtureBackend({ EDGECLIP_MODEL_DIR: textOnly })
    try {
      const response = await postBatch(backend.url, [
        { kind: 'image', bytes: await noiseImage(2) },
        { kind: 'text', ids: textIds(2, 5) },
      ])
      expect(response.status).toBe(200)
      expect(response.result!.items[0]).toMatchObject({ ok: false, status: 503, code: 'tower_unavailable' })
      expect(response.result!.items[1]?.ok).toBe(true)
    } finally {
      await backend.close()
      await rm(textOnly, { recursive: true, force: true })
    }
  })
})
