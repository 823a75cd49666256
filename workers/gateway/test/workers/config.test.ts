import { EDGE_FORMAT, EDGE_MANIFEST_FILE } from '@edgeclip/edge-model'
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { describe, expect, it } from 'vitest'
import { WORKERS_EDGE_MAX_TOKENS_LIMIT, WORKERS_MAX_BODY_BYTES } from '../../src/config'
import { buildIsolateDeps, selectModel, workersConfig } from '../../src/workers/deps'
import { edgeArtifactKey } from '../../src/workers/edge-tower'
import { env } from './support/worker'

describe('Worker vars', () => {
  it('read the edge routing threshold and refuse a malformed one', () => {
    expect(workersConfig({ EDGECLIP_EDGE_MAX_TOKENS: '32' }).edgeMaxTokens).toBe(32)
    expect(workersConfig({ EDGECLIP_EDGE_MAX_TOKENS: '0' }).edgeMaxTokens).toBe(0)
    expect(() => workersConfig({ EDGECLIP_EDGE_MAX_TOKENS: 'many' })).toThrow(/whole number/)
    expect(() => workersConfig({ EDGECLIP_EDGE_MAX_TOKENS: '-1' })).toThrow(/whole number/)
  })

  it('keep every isolate within its measured memory budget: edge threshold and body limit', () => {
    expect(() =>
      workersConfig({ EDGECLIP_EDGE_MAX_TOKENS: String(WORKERS_EDGE_MAX_TOKENS_LIMIT + 1) }),
    ).toThrow(/does not fit a part Worker's memory/)
    expect(workersConfig({ EDGECLIP_EDGE_MAX_TOKENS: '16' }).maxBodyBytes).toBe(WORKERS_MAX_BODY_BYTES)
  })

  it('read the edge deadline, keep the default when it is unset or 0, and refuse a malformed one', () => {
    const base = { EDGECLIP_EDGE_MAX_TOKENS: '16' }
    expect(workersConfig({ ...base, EDGECLIP_EDGE_TIMEOUT_MS: '2500' }).edgeTimeoutMs).toBe(2500)
    const defaultMs = workersConfig(base).edgeTimeoutMs
    expect(defaultMs).toBeGreaterThan(0)
    expect(workersConfig({ ...base, EDGECLIP_EDGE_TIMEOUT_MS: '0' }).edgeTimeoutMs).toBe(defaultMs)
    expect(() => workersConfig({ ...base, EDGECLIP_EDGE_TIMEOUT_MS: 'soon' })).toThrow(/whole number/)
  })

  it('select the bundled fixture or a known model read from R2, and refuse unknown models', async () => {
    const fixture = selectModel({ EDGECLIP_MODEL: 'fixture', MODELS: env.MODELS })
    expect(fixture.spec.revision).toBe('fixture-1')
    expect(await fixture.source.loadVocab()).toMatch(/^\[PAD\]\n/)

    const real = selectModel({ EDGECLIP_MODEL: 'jina-clip-v1', MODELS: env.MODELS })
    expect(real.source.name).toBe(`r2://jina-clip-v1/${real.spec.revision}`)
    // An empty bucket: a clear 503 naming the missing key, not a crash.
    await env.MODELS.delete(`jina-clip-v1/${real.spec.revision}/vocab.txt`)
    await expect(real.source.loadVocab()).rejects.toMatchObject({ status: 503, code: 'model_unavailable' })

    expect(() => selectModel({ EDGECLIP_MODEL: 'clip-9000', MODELS: env.MODELS })).toThrow(
      /not a known model/,
    )
  })

  it('find the split edge tower by its manifest under <model id>/<revision>/edge/, and refuse a broken one', async () => {
    const real = selectModel({ EDGECLIP_MODEL: 'jina-clip-v1', MODELS: env.MODELS })
    const key = edgeArtifactKey(real.spec, EDGE_MANIFEST_FILE)
    const unnamed = { format: EDGE_FORMAT, idsInput: 'input_ids', output: 'text_embeds', parts: [] }
    const manifest = { ...unnamed, buildId: 'a'.repeat(64) }
    await env.MODELS.put(key, JSON.stringify(manifest))
    expect(await real.source.findEdgeTower()).toMatchObject({ kind: 'split', manifest })
    // A build from before build ids: its parts could not be told from another build's.
    for (const broken of ['{"format":"something-else"}', JSON.stringify(unnamed)]) {
      await env.MODELS.put(key, broken)
      await expect(real.source.findEdgeTower()).rejects.toMatchObject({
        status: 503,
        code: 'model_unavailable',
      })
    }
    await env.MODELS.delete(key)
    expect(await real.source.findEdgeTower()).toBeUndefined()
  })

  it('build deps for a real model with its vocab from R2 and no edge tower when R2 has none', async () => {
    const { spec } = selectModel({ EDGECLIP_MODEL: 'jina-clip-v1', MODELS: env.MODELS })
    const { unkId } = spec.tokenizer
    const vocab = ['[PAD]', ...Array.from({ length: unkId - 1 }, (_, index) => `[unused${index}]`)]
    vocab.push('[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello')
    await env.MODELS.put(`jina-clip-v1/${spec.revision}/vocab.txt`, `${vocab.join('\n')}\n`)
    // Storage outlives a test here; another test may have uploaded a model.
    await env.MODELS.delete(edgeArtifactKey(spec, EDGE_MANIFEST_FILE))
    const realEnv = { ...env, EDGECLIP_MODEL: 'jina-clip-v1' }
    const deps = await buildIsolateDeps(realEnv, workersConfig(realEnv), ortWasm)
    expect(deps.spec.id).toBe('jina-clip-v1')
    expect(deps.edgeTower).toBeUndefined()
    expect(deps.tokenizer.encode('Hello').ids).toEqual([
      spec.tokenizer.clsId,
      vocab.indexOf('hello'),
      spec.tokenizer.sepId,
    ])
  })

  it('refuse a vocab that does not fit the model with a 503', async () => {
    const { spec } = selectModel({ EDGECLIP_MODEL: 'jina-clip-v1', MODELS: env.MODELS })
    await env.MODELS.put(`jina-clip-v1/${spec.revision}/vocab.txt`, '[PAD]\nhello\n')
    const realEnv = { ...env, EDGECLIP_MODEL: 'jina-clip-v1' }
    await expect(buildIsolateDeps(realEnv, workersConfig(realEnv), ortWasm)).rejects.toMatchObject({
      status: 503,
      code: 'model_unavailable',
    })
  })
})
