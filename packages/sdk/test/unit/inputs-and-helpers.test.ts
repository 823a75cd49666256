// Image sources on the wire, environment fallback, the similarity helpers and the version constant.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { cosineSimilarity, EdgeClip, EdgeClipSDKError, imageToWire, topK, VERSION } from '../../src'
import { embeddingsAnswer, fakeFetch } from '../support/fake-fetch'

/** The 8-byte PNG signature and a few bytes: enough for the type sniffing the SDK does. */
const pngBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
const pngDataURI = `data:image/png;base64,${Buffer.from(pngBytes).toString('base64')}`

describe('image sources', () => {
  let directory: string
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'edgeclip-sdk-'))
    await writeFile(join(directory, 'cat.png'), pngBytes)
  })
  afterAll(() => rm(directory, { recursive: true, force: true }))

  it('sends URLs and data URIs as they are, for the gateway to fetch or decode', async () => {
    expect(await imageToWire('https://example.com/cat.jpg')).toBe('https://example.com/cat.jpg')
    expect(await imageToWire(new URL('https://example.com/a b.jpg'))).toBe('https://example.com/a%20b.jpg')
    expect(await imageToWire(pngDataURI)).toBe(pngDataURI)
  })

  it('turns bytes, ArrayBuffers and Blobs into data URIs typed by their bytes', async () => {
    expect(await imageToWire(pngBytes)).toBe(pngDataURI)
    expect(await imageToWire(pngBytes.slice().buffer)).toBe(pngDataURI)
    expect(await imageToWire(new Blob([pngBytes]))).toBe(pngDataURI)
    expect(await imageToWire(new Blob([pngBytes], { type: 'image/webp' }))).toMatch(
      /^data:image\/webp;base64,/,
    )
  })

  it('sends unknown formats as bare base64 (the gateway judges the bytes)', async () => {
    expect(await imageToWire(new Uint8Array([1, 2, 3]))).toBe('AQID')
  })

  it('reads a file path or file: URL on Node', async () => {
    const path = join(directory, 'cat.png')
    expect(await imageToWire(path)).toBe(pngDataURI)
    expect(await imageToWire(new URL(`file://${path}`))).toBe(pngDataURI)
    expect(await imageToWire('cat.png'.replace('cat', join(directory, 'cat')))).toBe(pngDataURI)
  })

  it('keeps bare base64 that is not a file as base64', async () => {
    const jpegBase64 = '/9j/4AAQSkZJRgABAQ=='
    expect(await imageToWire(jpegBase64)).toBe(jpegBase64)
  })

  it('passes long image data through even when it is not strict base64 (no path is that long)', async () => {
    const wrapped = `${'QUJD'.repeat(19)}\n`.repeat(100)
    expect(await imageToWire(wrapped)).toBe(wrapped)
  })

  it('names a missing file or an empty image clearly', async () => {
    await expect(imageToWire(join(directory, 'missing.png'))).rejects.toThrow(/could not read image file/)
    await expect(imageToWire(new Uint8Array())).rejects.toThrow(EdgeClipSDKError)
  })

  it('embedImage sends { image } items', async () => {
    const { fetch, calls } = fakeFetch((call) => embeddingsAnswer(call))
    await new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxBatchSize: 8 }).embedImage([
      pngBytes,
      'https://example.com/cat.jpg',
    ])
    expect(calls[0]!.body?.input).toEqual([{ image: pngDataURI }, { image: 'https://example.com/cat.jpg' }])
  })
})

describe('environment', () => {
  it('reads EDGECLIP_API_KEY and EDGECLIP_BASE_URL when options omit them', async () => {
    vi.stubEnv('EDGECLIP_API_KEY', 'ec_env_key')
    vi.stubEnv('EDGECLIP_BASE_URL', 'http://from-env.test')
    try {
      const { fetch, calls } = fakeFetch((call) => embeddingsAnswer(call))
      const client = new EdgeClip({ fetch })
      await client.embedText('1')
      expect(client.baseURL).toBe('http://from-env.test')
      expect(calls[0]!.url).toBe('http://from-env.test/v1/embeddings')
      expect(calls[0]!.headers.get('authorization')).toBe('Bearer ec_env_key')
      expect(calls[0]!.headers.get('x-edgeclip-sdk')).toBe(`js/${VERSION}`)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('refuses nonsense options up front', () => {
    expect(() => new EdgeClip({ timeout: 0 })).toThrow(/timeout/)
    expect(() => new EdgeClip({ maxRetries: -1 })).toThrow(/maxRetries/)
    expect(() => new EdgeClip({ maxBatchSize: Number.NaN })).toThrow(/maxBatchSize/)
  })
})

describe('similarity helpers', () => {
  it('computes cosine similarity independent of length', () => {
    expect(cosineSimilarity([1, 0], [2, 0])).toBeCloseTo(1)
    expect(cosineSimilarity(new Float32Array([1, 0]), new Float32Array([0, 3]))).toBeCloseTo(0)
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1)
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0)
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(EdgeClipSDKError)
  })

  it('ranks the k closest candidates, best first', () => {
    const candidates = [
      [0, 1],
      [1, 0.1],
      [-1, 0],
      [1, 0],
    ]
    expect(topK([1, 0], candidates, 2)).toEqual([
      { index: 3, score: 1 },
      { index: 1, score: expect.closeTo(0.995, 3) },
    ])
    expect(topK([1, 0], candidates, 10)).toHaveLength(4)
    expect(() => topK([1, 0], candidates, -1)).toThrow(EdgeClipSDKError)
  })
})

it('VERSION matches package.json', async () => {
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))
  expect(VERSION).toBe(manifest.version)
})
