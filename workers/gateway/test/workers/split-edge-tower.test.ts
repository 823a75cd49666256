// The split edge tower end to end inside workerd: the gateway's /v1/embeddings on jina-clip-v1's
// spec, its EDGE_TOWER binding to three part Workers (the bundle `wrangler deploy` ships) that read
// a synthetic JinaBERT's split artifact from R2, and a real backend on the un-split fp32 model.
import { encodeTensorBundle } from '@edgeclip/edge-model'
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { buildIsolateDeps, workersConfig } from '../../src/workers/deps'
import { loadEdgePart } from '../../src/workers/edge-part/load-edge-part'
import { EDGE_PART_HEADER, edgeArtifactKey, type ServiceBinding } from '../../src/workers/edge-tower'
import { createWorkersHandler, type WorkersHandler } from '../../src/workers/workers-handler'
import { receivedBatches, referenceTextVectors } from './support/reference-vectors'
import { wholeWordIds } from './support/requests'
import { REBUILT_PREFIX } from './support/shared'
import {
  buildIdInR2,
  cosine,
  embed,
  gatewayEnv,
  type ReadyBody,
  readyz,
  sendToParts,
  spec,
  splitBackendUrl,
  uploadArtifact,
  uploadFiles,
  vectorsOf,
} from './support/split-edge-gateway'
import { env } from './support/worker'

const MIN_COSINE = 0.999
/** A part backs off for seconds after a failed load (load-backoff.ts); recovery is polled for. */
const RECOVERY = { timeout: 30_000, interval: 250 }
/** For a test that waits out backoffs: two recoveries and the requests around them. */
const WAITS_OUT_BACKOFF = { timeout: 3 * RECOVERY.timeout }

/** Waits until the whole chain serves again (a failed part retries once its backoff ends). */
async function untilReady(handler: WorkersHandler): Promise<void> {
  await vi.waitFor(async () => {
    const response = await readyz(handler)
    expect([response.status, ((await response.json()) as ReadyBody).checks]).toEqual([
      200,
      { edge: 'ok', backend: 'ok' },
    ])
  }, RECOVERY)
}

const words = (count: number, word: string) => Array.from({ length: count }, () => word).join(' ')

describe('split edge tower through service bindings', () => {
  beforeAll(uploadArtifact)

  // These two first, while no part has loaded: a part keeps its session for its isolate's life.
  it('sends the texts to the backend when a part fails to load (a file that is not its build’s), and /readyz names the part', async () => {
    const handler = createWorkersHandler(ortWasm)
    const key = edgeArtifactKey(spec, 'part-1.onnx')
    const saved = await (await env.MODELS.get(key))!.arrayBuffer()
    await env.MODELS.put(key, new Uint8Array([8, 1, 18, 4, 1, 2, 3]))
    try {
      const response = await embed(handler, 'green car')
      expect(response.status).toBe(200)
      expect(response.headers.get('x-edgeclip-route')).toBe('backend')
      const sent = (await receivedBatches(splitBackendUrl)).flatMap((batch) => batch.items)
      expect(sent).toContainEqual(wholeWordIds('green car'))
      const notReady = await readyz(handler)
      expect(notReady.status).toBe(503)
      const text = await notReady.text()
      // Which part and its code; never the bucket key or ONNX Runtime's error text.
      expect((JSON.parse(text) as ReadyBody).checks.edge).toBe(
        // The file's sha256 is not the manifest's: refused before ONNX Runtime reads it.
        'unavailable: edge part 1 (edge_build_mismatch)',
      )
      expect(text).not.toContain('.onnx')
    } finally {
      // Part 1 serves again once its backoff ends. Not waited for here: the next test needs part 2
      // never to have loaded, and waiting for readiness would load it.
      await env.MODELS.put(key, saved)
    }
  })

  it(
    'sends texts to the backend while a part file is missing (503 without one), and serves once it is back',
    WAITS_OUT_BACKOFF,
    async () => {
      const handler = createWorkersHandler(ortWasm)
      const key = edgeArtifactKey(spec, 'part-2.onnx.data')
      const saved = await (await env.MODELS.get(key))!.arrayBuffer()
      await env.MODELS.delete(key)
      // /readyz runs the shortest text through the chain: once part 1 is back from the last test's
      // backoff, it finds the missing part.
      const partTwoDown = 'unavailable: edge part 2 (model_unavailable)'
      await vi.waitFor(async () => {
        const notReady = await readyz(handler)
        expect(notReady.status).toBe(503)
        const text = await notReady.text()
        expect(text).not.toContain(key)
        expect((JSON.parse(text) as ReadyBody).checks.edge).toBe(partTwoDown)
      }, RECOVERY)
      // The part says who it is and how long it backs off, passed back through parts 0 and 1.
      const { clsId, sepId } = spec.tokenizer
      const fromParts = await sendToParts(
        encodeTensorBundle({
          input_ids: { type: 'int64', data: BigInt64Array.from([clsId, sepId], BigInt), dims: [1, 2] },
        }),
      )
      expect([fromParts.status, fromParts.headers.get(EDGE_PART_HEADER)]).toEqual([503, '2'])
      expect(Number(fromParts.headers.get('retry-after'))).toBeGreaterThan(0)
      const fellBack = await embed(handler, 'blue car')
      expect([fellBack.status, fellBack.headers.get('x-edgeclip-route')]).toEqual([200, 'backend'])
      const missing = await embed(createWorkersHandler(ortWasm), 'blue bird', { BACKEND_URL: '' })
      expect(missing.status).toBe(503)
      expect(missing.headers.get('retry-after')).not.toBeNull()
      expect(await missing.json()).toMatchObject({
        error: { type: 'overloaded_error', code: 'model_unavailable', message: expect.stringContaining(key) },
      })
      await env.MODELS.put(key, saved)
      await untilReady(handler)
      const served = await embed(handler, 'blue car tree')
      expect(served.status).toBe(200)
      expect(served.headers.get('x-edgeclip-route')).toBe('edge')
    },
  )

  it('gives the edge path its own deadline: past it, texts go to the backend (504 without one)', async () => {
    // A part chain that never answers (a stuck part Worker), standing in for EDGE_TOWER.
    const hops: Request[] = []
    const stuck: ServiceBinding = {
      fetch: (request) => {
        hops.push(request)
        return new Promise(() => {})
      },
    }
    const late = await embed(createWorkersHandler(ortWasm), 'red tree', {
      EDGE_TOWER: stuck,
      EDGECLIP_EDGE_TIMEOUT_MS: '50',
    })
    expect([late.status, late.headers.get('x-edgeclip-route')]).toEqual([200, 'backend'])
    const sent = (await receivedBatches(splitBackendUrl)).flatMap((batch) => batch.items)
    expect(sent).toContainEqual(wholeWordIds('red tree'))
    // The hop was given up, not left running.
    expect(hops.map((hop) => hop.signal.aborted)).toEqual([true])
    const alone = await embed(createWorkersHandler(ortWasm), 'green tree bird', {
      EDGE_TOWER: stuck,
      EDGECLIP_EDGE_TIMEOUT_MS: '50',
      BACKEND_URL: '',
    })
    expect(alone.status).toBe(504)
    expect(await alone.json()).toMatchObject({ error: { code: 'edge_timeout' } })
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
    const send = sendToParts
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
  const hop = (buildId: string | null) =>
    sendToParts(
      encodeTensorBundle({
        input_ids: { type: 'int64', data: new BigInt64Array([101n, 102n]), dims: [1, 2] },
      }),
      buildId,
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
    const response = await hop(null)
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
