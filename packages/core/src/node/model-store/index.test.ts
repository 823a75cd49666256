import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixtureModelSpec, type ModelSpec } from '../../model-spec'
import { closedPort, type HubFileBehaviour, type HubServer, startHubServer } from './hub-server.test-helper'
import {
  type FetchProgress,
  fetchModel,
  ModelStoreError,
  readManifest,
  readModelBytes,
  readModelDir,
} from './index'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

const vocab = new TextEncoder().encode('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n')
const textModel = randomBytes(300_000)
const textModelFp16 = randomBytes(150_000)
const visionModel = randomBytes(200_000)
const visionModelFp16 = randomBytes(100_000)

const spec: ModelSpec = {
  ...fixtureModelSpec,
  id: 'test-model',
  repo: 'test/model',
  revision: 'abc123',
  onnx: {
    ...fixtureModelSpec.onnx,
    textFiles: { fp32: { path: 'onnx/text_model.onnx' }, fp16: { path: 'onnx/text_model_fp16.onnx' } },
    imageFiles: { fp32: { path: 'onnx/vision_model.onnx' }, fp16: { path: 'onnx/vision_model_fp16.onnx' } },
  },
  supportFiles: [
    { path: 'vocab.txt', size: vocab.length, sha256: sha256(vocab) },
    { path: 'tokenizer.json' },
  ],
}

const served = (overrides: Record<string, Uint8Array | undefined> = {}) => {
  const files: Record<string, Uint8Array | undefined> = {
    'vocab.txt': vocab,
    'onnx/text_model.onnx': textModel,
    'onnx/text_model_fp16.onnx': textModelFp16,
    'onnx/vision_model.onnx': visionModel,
    'onnx/vision_model_fp16.onnx': visionModelFp16,
    ...overrides,
  }
  const prefix = `/${spec.repo}/resolve/${spec.revision}/`
  return new Map(
    Object.entries(files).flatMap(([path, bytes]) =>
      bytes === undefined ? [] : [[prefix + path, bytes] as const],
    ),
  )
}
const urlPath = (path: string) => `/${spec.repo}/resolve/${spec.revision}/${path}`

let dir: string
let hub: HubServer | undefined
const fastRetries = { maxRetries: 2, retryDelayMs: 1 }

async function startHub(files = served(), behaviours: Record<string, HubFileBehaviour> = {}) {
  hub = await startHubServer(files, behaviours)
  return hub
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgeclip-model-store-'))
})
afterEach(async () => {
  await hub?.close()
  hub = undefined
  await rm(dir, { recursive: true, force: true })
})

describe('fetchModel', () => {
  it('downloads a variant, skips an absent optional file and records every hash', async () => {
    const { endpoint } = await startHub()
    const progress: FetchProgress[] = []
    const result = await fetchModel({ spec, dir, endpoint, onProgress: (event) => progress.push(event) })

    expect(result.downloaded.sort()).toEqual(['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'vocab.txt'])
    expect(result.absent).toEqual(['tokenizer.json'])
    expect(await readFile(join(dir, 'onnx/text_model.onnx'))).toEqual(Buffer.from(textModel))
    const manifest = await readManifest(dir)
    expect(manifest?.revision).toBe(spec.revision)
    expect(manifest?.files['onnx/vision_model.onnx']).toEqual({
      sha256: sha256(visionModel),
      size: visionModel.length,
    })
    expect(manifest?.files['vocab.txt']?.sha256).toBe(sha256(vocab))
    const lastText = progress.filter((event) => event.file === 'onnx/text_model.onnx').at(-1)
    expect(lastText).toEqual({
      file: 'onnx/text_model.onnx',
      bytesDone: 300_000,
      bytesTotal: 300_000,
      state: 'done',
    })
    expect(existsSync(join(dir, 'onnx/text_model.onnx.partial'))).toBe(false)
  })

  it('fetches only the chosen variant and reuses verified files on a second run', async () => {
    const server = await startHub()
    await fetchModel({ spec, dir, endpoint: server.endpoint, variant: 'fp16' })
    expect(existsSync(join(dir, 'onnx/text_model_fp16.onnx'))).toBe(true)
    expect(existsSync(join(dir, 'onnx/text_model.onnx'))).toBe(false)

    server.requests.length = 0
    const again = await fetchModel({ spec, dir, endpoint: server.endpoint, variant: 'fp16' })
    expect(again.reused.sort()).toEqual([
      'onnx/text_model_fp16.onnx',
      'onnx/vision_model_fp16.onnx',
      'vocab.txt',
    ])
    expect(server.requests.map((request) => request.path)).toEqual([urlPath('tokenizer.json')])
  })

  it('takes EDGECLIP_HF_ENDPOINT when no endpoint is given', async () => {
    const { endpoint } = await startHub()
    process.env.EDGECLIP_HF_ENDPOINT = endpoint
    try {
      const result = await fetchModel({ spec, dir, towers: ['text'] })
      expect(result.downloaded.sort()).toEqual(['onnx/text_model.onnx', 'vocab.txt'])
    } finally {
      delete process.env.EDGECLIP_HF_ENDPOINT
    }
  })

  it('resumes a dropped connection with a Range request', async () => {
    const textPath = urlPath('onnx/text_model.onnx')
    const server = await startHub(served(), { [textPath]: { dropAfterBytes: 120_000, dropTimes: 2 } })
    await fetchModel({ spec, dir, endpoint: server.endpoint, ...fastRetries })

    expect(sha256(await readFile(join(dir, 'onnx/text_model.onnx')))).toBe(sha256(textModel))
    const ranges = server.requests
      .filter((request) => request.path === textPath)
      .map((request) => request.range)
    expect(ranges).toHaveLength(3)
    expect(ranges[0]).toBeUndefined()
    expect(ranges.slice(1).every((range) => /^bytes=[1-9]\d*-$/.test(range ?? ''))).toBe(true)
  })

  it('starts over when the server ignores Range and answers 200', async () => {
    const textPath = urlPath('onnx/text_model.onnx')
    const server = await startHub(served(), { [textPath]: { ignoreRange: true } })
    // An interrupted earlier run: its manifest names this revision, so the partial file is resumed.
    await fetchModel({ spec, dir, endpoint: server.endpoint, towers: [] })
    await mkdir(join(dir, 'onnx'), { recursive: true })
    await writeFile(join(dir, 'onnx/text_model.onnx.partial'), randomBytes(5000))
    await fetchModel({ spec, dir, endpoint: server.endpoint, towers: ['text'] })

    expect(server.requests.find((request) => request.path === textPath)?.range).toBe('bytes=5000-')
    expect(sha256(await readFile(join(dir, 'onnx/text_model.onnx')))).toBe(sha256(textModel))
  })

  it('drops partial files left by another revision', async () => {
    const server = await startHub()
    await fetchModel({
      spec: { ...spec, revision: 'older' },
      dir,
      endpoint: server.endpoint,
      towers: [],
    }).catch(() => undefined)
    await mkdir(join(dir, 'onnx'), { recursive: true })
    await writeFile(join(dir, 'onnx/text_model.onnx.partial'), randomBytes(5000))
    await fetchModel({ spec, dir, endpoint: server.endpoint, towers: ['text'] })
    expect(server.requests.every((request) => request.range === undefined)).toBe(true)
    expect(sha256(await readFile(join(dir, 'onnx/text_model.onnx')))).toBe(sha256(textModel))
  })

  it('follows the hub to its CDN, resuming there, and checks the sha256 the hub links', async () => {
    const textPath = urlPath('onnx/text_model.onnx')
    const lfs = { sha256: sha256(textModel), size: textModel.length }
    const server = await startHub(served(), { [textPath]: { lfs, dropAfterBytes: 100_000 } })
    await fetchModel({ spec, dir, endpoint: server.endpoint, towers: ['text'], ...fastRetries })

    expect(sha256(await readFile(join(dir, 'onnx/text_model.onnx')))).toBe(lfs.sha256)
    const cdnRanges = server.requests
      .filter((request) => request.path === `/cdn${textPath}`)
      .map((r) => r.range)
    expect(cdnRanges).toEqual([undefined, expect.stringMatching(/^bytes=[1-9]\d*-$/)])
  })

  it('rejects a download that differs from the sha256 the hub links', async () => {
    const textPath = urlPath('onnx/text_model.onnx')
    const lfs = { sha256: sha256(textModelFp16), size: textModel.length }
    const { endpoint } = await startHub(served(), { [textPath]: { lfs } })
    const error = await fetchModel({ spec, dir, endpoint, towers: ['text'] }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ code: 'checksum_mismatch' })
    expect((error as Error).message).toContain(`X-Linked-Etag says ${lfs.sha256}`)
    expect(existsSync(join(dir, 'onnx/text_model.onnx'))).toBe(false)
  })

  it('abandons a stalled connection and resumes it', async () => {
    const textPath = urlPath('onnx/text_model.onnx')
    const server = await startHub(served(), { [textPath]: { stallAfterBytes: 64_000 } })
    await fetchModel({
      spec,
      dir,
      endpoint: server.endpoint,
      towers: ['text'],
      idleTimeoutMs: 300,
      ...fastRetries,
    })

    expect(sha256(await readFile(join(dir, 'onnx/text_model.onnx')))).toBe(sha256(textModel))
    const ranges = server.requests
      .filter((request) => request.path === textPath)
      .map((request) => request.range)
    expect(ranges).toEqual([undefined, 'bytes=64000-'])
  })

  it('accepts a partial file that is already whole (416 to its Range request)', async () => {
    const server = await startHub()
    await fetchModel({ spec, dir, endpoint: server.endpoint, towers: [] })
    await mkdir(join(dir, 'onnx'), { recursive: true })
    await writeFile(join(dir, 'onnx/text_model.onnx.partial'), textModel)
    const result = await fetchModel({ spec, dir, endpoint: server.endpoint, towers: ['text'] })

    expect(result.downloaded).toEqual(['onnx/text_model.onnx'])
    expect(server.requests.at(-1)?.range).toBe(`bytes=${textModel.length}-`)
    expect((await readManifest(dir))?.files['onnx/text_model.onnx']?.sha256).toBe(sha256(textModel))
  })

  it('deletes a file whose sha256 differs from the spec and says so', async () => {
    const corrupted = new Uint8Array(vocab)
    corrupted[0] = 0x21
    const { endpoint } = await startHub(served({ 'vocab.txt': corrupted }))
    const error = await fetchModel({ spec, dir, endpoint }).catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(ModelStoreError)
    expect(error).toMatchObject({ code: 'checksum_mismatch' })
    expect((error as Error).message).toContain(sha256(vocab))
    expect(existsSync(join(dir, 'vocab.txt'))).toBe(false)
    expect(existsSync(join(dir, 'vocab.txt.partial'))).toBe(false)
  })

  it('fails clearly on a 404 for a required file, leaving vocab.txt absent until all towers are in', async () => {
    const { endpoint } = await startHub(served({ 'onnx/vision_model.onnx': undefined }))
    await expect(fetchModel({ spec, dir, endpoint })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('onnx/vision_model.onnx'),
    })
    expect(existsSync(join(dir, 'onnx/text_model.onnx'))).toBe(true)
    expect(existsSync(join(dir, 'vocab.txt'))).toBe(false)
  })

  it('gives up after a few drops that bring no bytes', async () => {
    const textPath = urlPath('onnx/text_model.onnx')
    const { endpoint } = await startHub(served(), { [textPath]: { dropAfterBytes: 0, dropTimes: 100 } })
    await expect(fetchModel({ spec, dir, endpoint, towers: ['text'], ...fastRetries })).rejects.toMatchObject(
      {
        code: 'connection_failed',
        message: expect.stringContaining('3 times'),
      },
    )
  })

  it('tells the user to fetch elsewhere when the host cannot be reached', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    await expect(fetchModel({ spec, dir, endpoint, ...fastRetries })).rejects.toMatchObject({
      code: 'offline',
      message: expect.stringMatching(
        /^cannot reach 127\.0\.0\.1:\d+ \(.*\); fetch the model files elsewhere and copy them in/,
      ),
    })
  })

  it('rejects a variant the spec does not publish', async () => {
    await expect(
      fetchModel({ spec, dir, endpoint: 'http://127.0.0.1:9', variant: 'q4' }),
    ).rejects.toMatchObject({
      code: 'unknown_variant',
    })
  })
})

describe('readModelDir', () => {
  it('returns paths and the vocab of a fetched directory', async () => {
    const { endpoint } = await startHub()
    await fetchModel({ spec, dir, endpoint })
    const model = await readModelDir(dir, spec, 'fp32', { verify: 'sha256', require: ['text', 'image'] })

    expect(model.vocab).toBe(new TextDecoder().decode(vocab))
    expect(model.tokenizerJsonPath).toBeUndefined()
    expect(model.textModelPath).toBe(join(dir, 'onnx/text_model.onnx'))
    expect(await readModelBytes(model.visionModelPath as string)).toEqual(new Uint8Array(visionModel))
    expect((await readModelDir(dir, spec, 'fp16')).textModelPath).toBeUndefined()
    await expect(readModelDir(dir, spec, 'fp16', { require: ['text'] })).rejects.toMatchObject({
      code: 'missing_file',
    })
  })

  it('detects files changed since the download', async () => {
    const { endpoint } = await startHub()
    await fetchModel({ spec, dir, endpoint, towers: ['text'] })
    const textPath = join(dir, 'onnx/text_model.onnx')
    const tampered = new Uint8Array(textModel)
    tampered[10] = (tampered[10] as number) ^ 0xff
    await writeFile(textPath, tampered)

    await expect(readModelDir(dir, spec)).resolves.toMatchObject({ textModelPath: textPath })
    await expect(readModelDir(dir, spec, 'fp32', { verify: 'sha256' })).rejects.toMatchObject({
      code: 'checksum_mismatch',
    })
    await writeFile(textPath, tampered.subarray(1))
    await expect(readModelDir(dir, spec)).rejects.toMatchObject({ code: 'size_mismatch' })
  })

  it('refuses a directory from another revision and one without vocab.txt', async () => {
    const { endpoint } = await startHub()
    await fetchModel({ spec, dir, endpoint, towers: [] })
    await expect(readModelDir(dir, { ...spec, revision: 'other' })).rejects.toMatchObject({
      code: 'revision_mismatch',
    })
    await expect(readModelDir(join(dir, 'nothing-here'), spec)).rejects.toMatchObject({
      code: 'missing_file',
    })
  })
})
