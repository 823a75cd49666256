// Creates the tower sessions on the best provider: CUDA when the GPU build loads, CPU otherwise.
// onnxruntime-node throws at session creation when the CUDA provider library cannot load, which is
// how a missing GPU (or a CPU-only install) is told apart from a working one.
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
import { cudaLibraryMissing } from './cuda-library'
import type { ModelFiles, TowerBytes } from './model-files'

export type Provider = 'cuda' | 'cpu'

export interface LoadedTowers {
  spec: ModelSpec
  provider: Provider
  variant: OnnxVariant
  textTower: TextTower | undefined
  imageTower: ImageTower | undefined
  /** Why CUDA was not used, when it was tried and failed. */
  cudaError: string | undefined
  /** Weights and numerics per loaded tower: every answer carries it, gateways key their cache by it. */
  identity: BackendIdentity
  release(): Promise<void>
}

export interface LoadTowersOptions {
  files: ModelFiles
  createSession: OnnxSessionFactory
  config: Pick<BackendConfig, 'provider' | 'variant' | 'text' | 'image'>
}

const providerLists: Record<Provider, readonly string[]> = { cuda: ['cuda', 'cpu'], cpu: ['cpu'] }

export async function loadTowers({ files, createSession, config }: LoadTowersOptions): Promise<LoadedTowers> {
  const { spec } = files
  const create = async (bytes: TowerBytes, provider: Provider) => {
    const options = { executionProviders: providerLists[provider] }
    const textSession = bytes.text ? await createSession(bytes.text, options) : undefined
    let imageSession: Awaited<ReturnType<OnnxSessionFactory>> | undefined
    try {
      imageSession = bytes.image ? await createSession(bytes.image, options) : undefined
    } catch (error) {
      // Frees the text tower's GPU memory before the CPU attempt.
      await textSession?.release()
      throw error
    }
    return {
      textTower: textSession
        ? new OnnxTextTower(textSession, spec, { maxBatchSize: config.text.maxBatchSize })
        : undefined,
      imageTower: imageSession
        ? new OnnxImageTower(imageSession, spec, { maxBatchSize: config.image.maxBatchSize })
        : undefined,
    }
  }

  // 'auto' on a CPU-only install does not try CUDA: onnxruntime would log a red error first.
  let cudaError = config.provider === 'auto' ? cudaLibraryMissing() : undefined
  if (config.provider !== 'cpu' && cudaError === undefined) {
    const bytes = await files.read(config.variant.cuda)
    try {
      const towers = await create(bytes, 'cuda')
      return finish(spec, 'cuda', bytes, towers, undefined)
    } catch (error) {
      cudaError = error instanceof Error ? error.message.split('\n')[0] : String(error)
      if (config.provider === 'cuda') {
        throw new Error(`EDGECLIP_BACKEND_PROVIDER=cuda but CUDA did not load: ${cudaError}`)
      }
    }
  }
  const bytes = await files.read(config.variant.cpu)
  return finish(spec, 'cpu', bytes, await create(bytes, 'cpu'), cudaError)
}

/** The ONNX variant and the runtime that ran it: CUDA and CPU kernels differ in the last bits too. */
export const backendNumerics = (variant: OnnxVariant, provider: string): string =>
  `${variant}/onnxruntime-node-${provider}`

function finish(
  spec: ModelSpec,
  provider: Provider,
  bytes: TowerBytes,
  towers: { textTower: TextTower | undefined; imageTower: ImageTower | undefined },
  cudaError: string | undefined,
): LoadedTowers {
  const { variant, sha256 } = bytes
  const numerics = backendNumerics(variant, provider)
  return {
    spec,
    provider,
    variant,
    ...towers,
    cudaError,
    identity: {
      ...(towers.textTower && sha256.text ? { text: { weights: sha256.text, numerics } } : {}),
      ...(towers.imageTower && sha256.image ? { image: { weights: sha256.image, numerics } } : {}),
    },
    async release() {
      await Promise.all([towers.textTower?.release(), towers.imageTower?.release()])
    },
  }
}
