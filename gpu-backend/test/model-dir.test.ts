// Loading from a model directory (the layout `pnpm edgeclip model fetch` and `model fixture` write),
// here the fixture's: vectors equal the in-memory fixture's, and a directory without a vision tower
// still serves texts while each image item fails alone with 503.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureModelSpec } from '@edgeclip/core'
import { writeFixtureModelDir } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBackendConfig } from '../src/config'
import { startBackend } from '../src/service'
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

  it('names the weights it loaded (the files’ sha256) and its numerics in every answer and in /readyz', async () => {
    const backend = await startFixtureBackend({ EDGECLIP_MODEL_DIR: dir, IMAGE_THREADS: '0' })
    try {
      const sha256 = async (path: string) =>
        createHash('sha256')
          .update(await readFile(join(dir, path)))
          .digest('hex')
      const expected = {
        text: {
          weights: await sha256(fixtureModelSpec.onnx.textFiles.fp32!.path),
          numerics: 'fp32/onnxruntime-node-cpu',
        },
        image: {
          weights: await sha256(fixtureModelSpec.onnx.imageFiles.fp32!.path),
          numerics: 'fp32/onnxruntime-node-cpu',
        },
      }
      const response = await postBatch(backend.url, [{ kind: 'text', ids: textIds(3, 4) }])
      expect(response.result!.identity).toEqual(expected)
      const ready = (await (await fetch(`${backend.url}/readyz`)).json()) as { identity: unknown }
      expect(ready.identity).toEqual(expected)
    } finally {
      await backend.close()
    }
  })

  it('refuses a tower file that is not the one its manifest recorded', async () => {
    const tampered = await mkdtemp(join(tmpdir(), 'edgeclip-backend-tampered-'))
    await writeFixtureModelDir(tampered)
    const textPath = fixtureModelSpec.onnx.textFiles.fp32!.path
    const manifest = {
      model: fixtureModelSpec.id,
      repo: fixtureModelSpec.repo,
      revision: fixtureModelSpec.revision,
      // Right size, other bytes: what a swapped file of the same variant looks like.
      files: {
        [textPath]: { sha256: 'f'.repeat(64), size: (await readFile(join(tampered, textPath))).length },
      },
    }
    await writeFile(join(tampered, 'manifest.json'), JSON.stringify(manifest))
    const config = readBackendConfig({
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_MODEL_DIR: tampered,
      BACKEND_AUTH: 'off',
      PORT: '0',
      EDGECLIP_BACKEND_PROVIDER: 'cpu',
    })
    const lines: string[] = []
    const backend = await startBackend({ config, log: (line) => lines.push(line) })
    try {
      await expect(backend.ready).rejects.toThrow(/its manifest says f{64}/)
      expect((await fetch(`${backend.url}/readyz`)).status).toBe(503)
    } finally {
      await backend.close()
      await rm(tampered, { recursive: true, force: true })
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
