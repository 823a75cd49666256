// The split edge tower end to end inside workerd: the gateway's /v1/embeddings on jina-clip-v1's
// spec, its EDGE_TOWER binding to three part Workers (the bundle `wrangler deploy` ships) that read
// a synthetic JinaBERT's split artifact from R2, and a real backend on the un-split fp32 model.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { jinaClipV1 } from '@edgeclip/core'
import { EDGE_MANIFEST_FILE, encodeTensorBundle, parseEdgeManifest } from '@edgeclip/edge-model'
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { buildIsolateDeps, workersConfig } from '../../src/workers/deps'
import { loadEdgePart } from '../../src/workers/edge-part/load-edge-part'
import {
  EDGE_BUILD_HEADER,
  edgeArtifactKey,
  r2ModelKey,
  TENSOR_BUNDLE_TYPE,
  VOCAB_FILE,
} from '../../src/workers/edge-tower'
import type { WorkersEnv } from '../../src/workers/env'
import { fixtureVocabText } from '../../src/workers/fixture'
import { createWorkersHandler, type WorkersHandler } from '../../src/workers/workers-handler'
import { receivedBatches, referenceTextVectors } from './support/reference-vectors'
import { type EmbeddingsBody, wholeWordIds } from './support/requests'
import { FILES_PATH, REBUILT_PREFIX } from './support/shared'
import { env } from './support/worker'

const spec = jinaClipV1
const MIN_COSINE = 0.999
const splitBackendUrl = inject('splitBackendUrl')
// The synthetic model shares the fixture's 512-token vocab, so it stands in for jina-clip-v1's.
const gatewayEnv = (): WorkersEnv => ({
  ...env,
  EDGECLIP_MODEL: spec.id,
  EDGECLIP_AUTH: 'off',
  BACKEND_URL: splitBackendUrl,
})

/** Puts a build's files (the first, or the rebuilt one) into R2 under the revision's keys. */
async function uploadFiles(names: readonly string[], prefix = ''): Promise<void> {
  for (const name of names) {
    const response = await fetch(`${splitBackendUrl}${FILES_PATH}${prefix}${name}`)
    if (!response.ok) throw new Error(`GET ${prefix}${name}: ${response.status}`)
    await env.MODELS.put(edgeArtifactKey(spec, name), await response.arrayBuffer())
  }
}

async function uploadArtifact(): Promise<void> {
  await env.MODELS.put(r2ModelKey(spec, VOCAB_FILE), fixtureVocabText)
  await uploadFiles(inject('edgeArtifactFiles'))
}

async function buildIdInR2(): Promise<string> {
  const object = await env.MODELS.get(edgeArtifactKey(spec, EDGE_MANIFEST_FILE))
  return parseEdgeManifest(await object!.text()).buildId
}

async function embed(handler: WorkersHandler, input: string | string[]): Promise<Response> {
  const context = createExecutionContext()
  const request = new Request('https://gateway.test/v1/embeddings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input, normalized: false }),
  })
  const response = await handler.fetch(request, gatewayEnv(), context)
  await waitOnExecutionContext(context)
  return response
}

type ReadyBody = { status: string; checks: Record<string, string> }

async function readyz(handler: WorkersHandler): Promise<Response> {
  const context = createExecutionContext()
  const response = await handler.fetch(new Request('https://gateway.test/readyz'), gatewayEnv(), context)
  await waitOnExecutionContext(context)
  return response
}

async function vectorsOf(response: Response): Promise<Float32Array[]> {
  if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`)
  return ((await response.json()) as EmbeddingsBody).data.map((item) => Float32Array.from(item.embedding))
}

function cosine(a: Float32Array, b: Float32Array): number {
  let [dot, normA, normB] = [0, 0, 0]
  a.forEach((value, index) => {
    dot += value * b[index]!
    normA += value * value
    normB += b[index]! * b[index]!
  })
  return dot / Math.sqrt(normA * normB)
}

const words = (count: number, word: string) => Array.from({ length: count }, () => word).join(' ')

describe('split edge tower through service bindings', () => {
  beforeAll(uploadArtifact)

  // These two first, while no part has loaded: a part keeps its session for its isolate's life.
  it('sends the texts to the backend when a part fails to load for another reason (a corrupt file)', async () => {
    const key = edgeArtifactKey(spec, 'part-1.onnx')
    const saved = await (await env.MODELS.get(key))!.arrayBuffer()
    await env.MODELS.put(key, new Uint8Array([8, 1, 18, 4, 1, 2, 3]))
    try {
      const response = await embed(createWorkersHandler(ortWasm), 'green car')
      expect(response.status).toBe(200)
      expect(response.headers.get('x-edgeclip-route')).toBe('backend')
      const sent = (await receivedBatches(splitBackendUrl)).flatMap((batch) => batch.items)
      expect(sent).toContainEqual(wholeWordIds('green car'))
    } finally {
      await env.MODELS.put(key, saved)
    }
  })

  it('answers a clear 503 while a part file is missing, and serves once it is back', async () => {
    const handler = createWorkersHandler(ortWasm)
    const key = edgeArtifactKey(spec, 'part-2.onnx.data')
    const saved = await (await env.MODELS.get(key))!.arrayBuffer()
    await env.MODELS.delete(key)
    // /readyz runs the shortest text through the chain, so it finds the missing part first.
    const notReady = await readyz(handler)
    expect(notReady.status).toBe(503)
    expect(((await notReady.json()) as ReadyBody).checks.edge).toContain(key)
    const missing = await embed(handler, 'blue car')
    expect(missing.status).toBe(503)
    expect(missing.headers.get('retry-after')).not.toBeNull()
    expect(await missing.json()).toMatchObject({
      error: { type: 'overloaded_error', code: 'model_unavailable', message: expect.stringContaining(key) },
    })
    await env.MODELS.put(key, saved)
    const ready = await readyz(handler)
    expect([ready.status, ((await ready.json()) as ReadyBody).checks]).toEqual([
      200,
      { edge: 'ok', backend: 'ok' },
    ])
    const served = await embed(handler, 'blue car')
    expect(served.status).toBe(200)
    expect(served.headers.get('x-edgeclip-route')).toBe('edge')
  })

  it('embeds short texts as onnxruntime-node does on the un-split fp32 model (cosine >= 0.999)', async () => {
    const texts = ['a photo of a cat', 'red car', 'the green tree']
    const response = await embed(createWorkersHandler(ortWasm), texts)
    expect(response.headers.get('x-edgeclip-route')).toBe('edge')
    expect(response.headers.get('x-edgeclip-cache')).toBe('miss')
    const actual = await vectorsOf(response)
    const ids = texts.map(wholeWordIds)
    // Before asking the backend for references, which it records too.
    const sent = (await receivedBatches(splitBackendUrl)).flatMap((batch) => batch.items)
    for (const row of ids) expect(sent).not.toContainEqual(row)
    const expected = await referenceTextVectors(ids, splitBackendUrl)
    expect(actual).toHaveLength(texts.length)
    for (const row of actual) expect(row).toHaveLength(spec.dimensions)
    const cosines = actual.map((row, index) => cosine(row, expected[index]!))
    console.log(`split edge tower vs fp32 onnxruntime-node: cosine min ${Math.min(...cosines).toFixed(6)}`)
    for (const value of cosines) expect(value).toBeGreaterThanOrEqual(MIN_COSINE)
  })

  it('keeps a text of exactly 16 tokens on the edge and sends a longer one to the backend', async () => {
    expect(env.EDGECLIP_EDGE_MAX_TOKENS).toBe('16')
    // [CLS] and [SEP] count: 14 words are 16 tokens.
    const [atLimit, over] = [words(14, 'dog'), words(15, 'tree')]
    const response = await embed(createWorkersHandler(ortWasm), [atLimit, over])
    expect(response.headers.get('x-edgeclip-route')).toBe('mixed')
    const actual = await vectorsOf(response)
    const ids = [wholeWordIds(atLimit), wholeWordIds(over)]
    expect(ids.map((row) => row.length)).toEqual([16, 17])
    const sent = (await receivedBatches(splitBackendUrl)).flatMap((batch) => batch.items)
    expect(sent).toContainEqual(ids[1])
    expect(sent).not.toContainEqual(ids[0])
    const expected = await referenceTextVectors(ids, splitBackendUrl)
    for (const [index, row] of actual.entries()) {
      expect(cosine(row, expected[index]!)).toBeGreaterThanOrEqual(MIN_COSINE)
    }
  })

  it('refuses bad token ids and oversized batches with a 400 before calling the parts', async () => {
    const deps = await buildIsolateDeps(gatewayEnv(), workersConfig(gatewayEnv()), ortWasm)
    const tower = await deps.edgeTower!()
    const { clsId, sepId, embeddingRows } = spec.tokenizer
    await expect(tower.embed([[clsId, embeddingRows, sepId]])).rejects.toMatchObject({
      status: 400,
      code: 'invalid_token_id',
    })
    await expect(tower.embed([[]])).rejects.toMatchObject({ status: 400, code: 'empty_input' })
    const tooMany = Array.from({ length: tower.maxBatchSize + 1 }, () => [clsId, sepId])
    await expect(tower.embed(tooMany)).rejects.toMatchObject({ status: 400, code: 'batch_too_large' })
  })

  it('has part Workers that refuse malformed bundles with a 400', async () => {
    const buildId = await buildIdInR2()
    const send = (body: Uint8Array<ArrayBuffer>) =>
      env.EDGE_TOWER!.fetch(
        new Request('https://edge-tower.internal/embed', {
          method: 'POST',
          headers: { 'content-type': TENSOR_BUNDLE_TYPE, [EDGE_BUILD_HEADER]: buildId },
          body,
        }),
      )
    const garbage = await send(new Uint8Array([200, 0, 0, 0, 1, 2, 3]))
    expect(garbage.status).toBe(400)
    expect(await garbage.json()).toMatchObject({ error: { code: 'invalid_tensor_bundle' } })
    const outsideTable = encodeTensorBundle({
      input_ids: { type: 'int64', data: new BigInt64Array([101n, 999_999n, 102n]), dims: [1, 3] },
    })
    expect((await send(outsideTable)).status).toBe(400)
    const wrongType = encodeTensorBundle({
      input_ids: { type: 'float32', data: new Float32Array([101, 102]), dims: [1, 2] },
    })
    expect((await send(wrongType)).status).toBe(400)
  })

  it('is chosen only when R2 holds the manifest and the EDGE_TOWER binding is set', async () => {
    const config = workersConfig(gatewayEnv())
    const withBinding = await buildIsolateDeps(gatewayEnv(), config, ortWasm)
    expect(withBinding.edgeTower).toBeDefined()
    const { EDGE_TOWER: _binding, ...unbound } = gatewayEnv()
    expect((await buildIsolateDeps(unbound, config, ortWasm)).edgeTower).toBeUndefined()
  })
})

describe('split edge tower build identity', () => {
  const hop = (buildId: string | undefined) =>
    env.EDGE_TOWER!.fetch(
      new Request('https://edge-tower.internal/embed', {
        method: 'POST',
        headers: { 'content-type': TENSOR_BUNDLE_TYPE, ...(buildId ? { [EDGE_BUILD_HEADER]: buildId } : {}) },
        body: encodeTensorBundle({
          input_ids: { type: 'int64', data: new BigInt64Array([101n, 102n]), dims: [1, 2] },
        }),
      }),
    )

  it('never mixes two builds: a rebuild uploaded while the parts hold the old one goes to the backend', async () => {
    const oldBuild = await buildIdInR2()
    // Warm: every part holds the first build, and this gateway isolate its manifest.
    const warmGateway = createWorkersHandler(ortWasm)
    expect((await embed(warmGateway, 'warm tree')).headers.get('x-edgeclip-route')).toBe('edge')
    await uploadFiles(inject('rebuiltEdgeArtifactFiles'), REBUILT_PREFIX)
    try {
      const newBuild = await buildIdInR2()
      expect(newBuild).not.toBe(oldBuild)
      // A new gateway isolate reads the rebuilt manifest; part 0 still holds the old build: 409.
      const refused = await hop(newBuild)
      expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([
        409,
        'edge_build_mismatch',
      ])
      const fresh = await embed(createWorkersHandler(ortWasm), 'red house')
      expect([fresh.status, fresh.headers.get('x-edgeclip-route')]).toEqual([200, 'backend'])
      const sent = (await receivedBatches(splitBackendUrl)).flatMap((batch) => batch.items)
      expect(sent).toContainEqual(wholeWordIds('red house'))
      // The warm gateway still names the old build, which the parts hold: edge, and not the
      // backend's row cached just now (edge and backend keys differ).
      const warm = await embed(warmGateway, 'red house')
      expect([warm.headers.get('x-edgeclip-route'), warm.headers.get('x-edgeclip-cache')]).toEqual([
        'edge',
        'miss',
      ])
    } finally {
      await uploadFiles(inject('edgeArtifactFiles'))
    }
    expect(await buildIdInR2()).toBe(oldBuild)
  })

  it('starts over on the build R2 names when its own manifest is stale and a part answers 409', async () => {
    await uploadFiles(inject('rebuiltEdgeArtifactFiles'), REBUILT_PREFIX)
    const gateway = createWorkersHandler(ortWasm)
    try {
      // Reads the rebuild; the warm parts hold the first build, and R2 agrees with this isolate.
      expect((await embed(gateway, 'pale moon')).headers.get('x-edgeclip-route')).toBe('backend')
    } finally {
      await uploadFiles(inject('edgeArtifactFiles'))
    }
    // R2 now names the parts' build: the next 409 drops this isolate's deps, later requests use it.
    expect((await embed(gateway, 'dark moon')).headers.get('x-edgeclip-route')).toBe('backend')
    await vi.waitFor(
      async () => expect((await embed(gateway, 'dark moon')).headers.get('x-edgeclip-route')).toBe('edge'),
      { timeout: 15_000, interval: 100 },
    )
  })

  it('has part Workers that refuse a hop naming no build', async () => {
    const response = await hop(undefined)
    expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'missing_edge_build',
    ])
  })

  it('refuses to load a part whose file is another build’s (re-uploaded under the same revision)', async () => {
    const key = edgeArtifactKey(spec, 'part-1.onnx.data')
    const saved = await (await env.MODELS.get(key))!.arrayBuffer()
    await uploadFiles(['part-1.onnx.data'], REBUILT_PREFIX)
    try {
      const partEnv = { MODELS: env.MODELS, EDGECLIP_MODEL: spec.id, EDGE_PART_INDEX: '1' }
      await expect(loadEdgePart(partEnv, ortWasm)).rejects.toMatchObject({
        status: 409,
        code: 'edge_build_mismatch',
        message: expect.stringContaining(key),
      })
    } finally {
      await env.MODELS.put(key, saved)
    }
  })
})
