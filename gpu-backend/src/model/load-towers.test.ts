// Provider choice without a GPU: an injected session factory stands in for ONNX Runtime's providers
// (CUDA refusing, the others running the fixture on the CPU), so the order, the variants read and
// the reasons can be checked on any machine. The real WebGPU path is test/webgpu-process.test.ts.
import { fixtureModelSpec, type OnnxSessionFactory, type OnnxVariant } from '@edgeclip/core'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { buildFixtureTextModel, buildFixtureVisionModel } from '@edgeclip/testkit'
import { describe, expect, it } from 'vitest'
import { readBackendConfig } from '../config'
import { loadTowers } from './load-towers'
import type { ModelFiles } from './model-files'

function setup(refuse: readonly string[]) {
  const variantsRead: OnnxVariant[] = []
  const providersTried: string[] = []
  const files: ModelFiles = {
    spec: fixtureModelSpec,
    vocab: '',
    read: async (variant) => {
      variantsRead.push(variant)
      const text = buildFixtureTextModel()
      const image = buildFixtureVisionModel()
      return { variant, text, image, sha256: { text: `${variant}-text`, image: `${variant}-image` } }
    },
  }
  const createSession: OnnxSessionFactory = async (model, options = {}) => {
    const first = options.executionProviders?.[0] ?? 'cpu'
    providersTried.push(first)
    if (refuse.includes(first)) throw new Error(`${first} refused\nsecond line`)
    return createNodeSession(model, { executionProviders: ['cpu'] })
  }
  return { files, createSession, variantsRead, providersTried }
}

const config = (provider: string) =>
  readBackendConfig({ EDGECLIP_MODEL: 'fixture', BACKEND_AUTH: 'off', EDGECLIP_BACKEND_PROVIDER: provider })

describe('loadTowers', () => {
  it('auto goes cuda → webgpu, reads the GPU variant (fp16), and says what it passed over', async () => {
    const { files, createSession, variantsRead, providersTried } = setup(['cuda'])
    const towers = await loadTowers({ files, createSession, config: config('auto') })
    expect(towers.provider).toBe('webgpu')
    expect(towers.reason).toBe('cuda: cuda refused')
    // The cache identity names the file read and the provider that ran it.
    expect(towers.identity.text).toEqual({ weights: 'fp16-text', numerics: 'fp16/onnxruntime-node-webgpu' })
    expect(variantsRead).toEqual(['fp16', 'fp16'])
    expect(providersTried).toEqual(['cuda', 'webgpu', 'webgpu'])
    await towers.release()
  })

  it('auto ends on the CPU with fp32 when no GPU provider loads', async () => {
    const { files, createSession, variantsRead } = setup(['cuda', 'webgpu'])
    const towers = await loadTowers({ files, createSession, config: config('auto') })
    expect(towers.provider).toBe('cpu')
    expect(towers.reason).toBe('cuda: cuda refused; webgpu: webgpu refused')
    expect(variantsRead.at(-1)).toBe('fp32')
    expect(await towers.readPlacement()).toEqual({})
    await towers.release()
  })

  it('a provider asked for by name must load', async () => {
    const { files, createSession } = setup(['webgpu'])
    await expect(loadTowers({ files, createSession, config: config('webgpu') })).rejects.toThrow(
      'EDGECLIP_BACKEND_PROVIDER=webgpu did not load: webgpu refused',
    )
  })
})
