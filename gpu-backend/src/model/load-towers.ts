// Creates the tower sessions on the best provider: auto tries CUDA, then WebGPU (only when its
// adapter is a real GPU), then the CPU; a provider asked for by name must load or startup fails.
// Each provider passed over leaves its reason, so the startup line says what was chosen and why.
import {
  type BackendIdentity,
  type ImageTower,
  type ModelSpec,
  OnnxImageTower,
  type OnnxSessionFactory,
  OnnxTextTower,
  type OnnxVariant,
  type TextTower,
} from '@edgeclip/core'
import type { BackendConfig } from '../config'
import { InferenceThread } from '../inference/inference-thread'
import { createPlacedSession, type PlacedSession } from '../providers/ort-session'
import type { NodePlacement } from '../providers/placement'
import { cudaMissing, type Provider, webgpuMissing } from '../providers/provider-checks'
import { type AdapterEvidence, inspectAdapter } from '../providers/vulkan'
import type { ModelFiles, TowerBytes } from './model-files'

export type { Provider }

export type TowerPlacement = Partial<Record<'text' | 'image', NodePlacement>>

export interface LoadedTowers {
  spec: ModelSpec
  provider: Provider
  variant: OnnxVariant
  textTower: TextTower | undefined
  imageTower: ImageTower | undefined
  /** Weights and numerics per loaded tower: every answer carries it, gateways key their cache by it. */
  identity: BackendIdentity
  /** What was chosen and why: providers passed over, with their reasons. */
  reason: string
  /** The WebGPU adapter this process drives (webgpu only). */
  adapter: AdapterEvidence | undefined
  /** Ends the GPU sessions' profiling and reads where their nodes ran; call after the warm-up. */
  readPlacement(): Promise<TowerPlacement>
  release(): Promise<void>
}

export interface LoadTowersOptions {
  files: ModelFiles
  /** Tests inject core's factory (or a fake); default: onnxruntime-node with placement profiling. */
  createSession?: OnnxSessionFactory
  config: Pick<BackendConfig, 'provider' | 'variant' | 'text' | 'image'>
}

const providerLists: Record<Provider, readonly string[]> = {
  cuda: ['cuda', 'cpu'],
  webgpu: ['webgpu', 'cpu'],
  cpu: ['cpu'],
}

type MakeSession = (bytes: Uint8Array) => Promise<PlacedSession>

interface Attempt {
  make: MakeSession
  close?: () => Promise<void>
}

function attemptFor(provider: Provider, injected: OnnxSessionFactory | undefined): Attempt {
  const executionProviders = providerLists[provider]
  if (injected) {
    return {
      make: async (bytes) => ({
        ...(await injected(bytes, { executionProviders })),
        placement: async () => undefined,
      }),
    }
  }
  if (provider === 'webgpu') {
    const thread = new InferenceThread()
    return {
      make: (bytes) => thread.createSession(bytes, { executionProviders, profile: true }),
      close: () => thread.close(),
    }
  }
  return { make: (bytes) => createPlacedSession(bytes, { executionProviders, profile: provider !== 'cpu' }) }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!

export async function loadTowers({ files, createSession, config }: LoadTowersOptions): Promise<LoadedTowers> {
  const { spec } = files
  const byName = config.provider !== 'auto'
  const order: Provider[] = byName ? [config.provider as Provider] : ['cuda', 'webgpu', 'cpu']
  const passedOver: string[] = []
  for (const provider of order) {
    const missing =
      provider === 'cuda' && !createSession
        ? cudaMissing()
        : provider === 'webgpu' && !createSession
          ? webgpuMissing(byName)
          : undefined
    if (missing) {
      if (byName) throw new Error(`EDGECLIP_BACKEND_PROVIDER=${provider}, but ${missing}`)
      passedOver.push(`${provider}: ${missing}`)
      continue
    }
    const bytes = await files.read(config.variant[provider])
    const attempt = attemptFor(provider, createSession)
    let towers: Awaited<ReturnType<typeof createTowers>> | undefined
    try {
      towers = await createTowers(bytes, attempt.make, spec, config)
      const adapter = provider === 'webgpu' && !createSession ? inspectAdapter() : undefined
      if (adapter && adapter.kind !== 'gpu' && !byName) {
        throw new Error(`its adapter is ${adapter.description}, not a GPU`)
      }
      const chosen = byName ? 'asked for by name' : passedOver.length ? passedOver.join('; ') : 'first choice'
      return finish(spec, provider, bytes, towers, attempt, chosen, adapter)
    } catch (error) {
      await towers?.release()
      await attempt.close?.()
      if (byName) throw new Error(`EDGECLIP_BACKEND_PROVIDER=${provider} did not load: ${firstLine(error)}`)
      passedOver.push(`${provider}: ${firstLine(error)}`)
    }
  }
  throw new Error(`no execution provider loaded (${passedOver.join('; ')})`)
}

async function createTowers(
  bytes: TowerBytes,
  make: MakeSession,
  spec: ModelSpec,
  config: LoadTowersOptions['config'],
) {
  const sessions: { text?: PlacedSession; image?: PlacedSession } = {}
  const release = async () => {
    await Promise.all([sessions.text?.release(), sessions.image?.release()])
  }
  try {
    if (bytes.text) sessions.text = await make(bytes.text)
    if (bytes.image) sessions.image = await make(bytes.image)
  } catch (error) {
    // Frees the text tower's GPU memory before the next provider is tried.
    await release()
    throw error
  }
  return {
    sessions,
    release,
    textTower: sessions.text
      ? new OnnxTextTower(sessions.text, spec, { maxBatchSize: config.text.maxBatchSize })
      : undefined,
    imageTower: sessions.image
      ? new OnnxImageTower(sessions.image, spec, { maxBatchSize: config.image.maxBatchSize })
      : undefined,
  }
}

/** The ONNX variant and the runtime that ran it: CUDA, WebGPU and CPU kernels differ in the last bits too. */
export const backendNumerics = (variant: OnnxVariant, provider: string): string =>
  `${variant}/onnxruntime-node-${provider}`

function finish(
  spec: ModelSpec,
  provider: Provider,
  bytes: TowerBytes,
  towers: Awaited<ReturnType<typeof createTowers>>,
  attempt: Attempt,
  reason: string,
  adapter: AdapterEvidence | undefined,
): LoadedTowers {
  const { sessions } = towers
  const { variant, sha256 } = bytes
  const numerics = backendNumerics(variant, provider)
  return {
    spec,
    provider,
    variant,
    textTower: towers.textTower,
    imageTower: towers.imageTower,
    identity: {
      ...(towers.textTower && sha256.text ? { text: { weights: sha256.text, numerics } } : {}),
      ...(towers.imageTower && sha256.image ? { image: { weights: sha256.image, numerics } } : {}),
    },
    reason,
    adapter,
    async readPlacement() {
      const [text, image] = await Promise.all([sessions.text?.placement(), sessions.image?.placement()])
      return { ...(text ? { text } : {}), ...(image ? { image } : {}) }
    },
    async release() {
      await towers.release()
      await attempt.close?.()
    },
  }
}
